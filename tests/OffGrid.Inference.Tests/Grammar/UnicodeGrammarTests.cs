using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.Extensions.AI;
using OffGrid.Inference.Grammar;
using OffGrid.Inference.ToolCalls;

namespace OffGrid.Inference.Tests.Grammar;

/// <summary>
/// Property tests: every place a grammar is built from user text (pattern literals and classes, enum, const,
/// property names, tool names) treats the text as Unicode scalar values, whatever plane its characters are from.
/// Texts walked out of the grammar must decode to exactly the input, with characters outside the BMP written as
/// themselves (never as surrogate escapes or garbage).
/// </summary>
public sealed class UnicodeGrammarTests
{
    private static readonly Config s_config = Config.QuickThrowOnFailure.WithMaxTest(150);

    /// <summary>Random texts of up to 8 characters from ASCII, controls, the rest of the BMP and the astral planes.</summary>
    internal static Gen<string> AnyPlaneText { get; } = Gen.Choose(0, 8)
        .SelectMany(n => Gen.ArrayOf(Gen.Frequency(
            (4, Gen.Choose(0x20, 0x7E)),
            (1, Gen.Choose(0x00, 0x1F)),
            (1, Gen.Constant(0x7F)),
            (2, Gen.Choose(0x80, 0xD7FF)),
            (1, Gen.Choose(0xE000, 0xFFFF)),
            (3, Gen.Choose(0x10000, 0x10FFFF))), n))
        .Select((int[] codePoints) => string.Concat(Enumerable.Select(codePoints, char.ConvertFromUtf32)));

    [Fact]
    public void ConstantsComeOutAsThemselves() => Check.One(s_config, Prop.ForAll(Arb.From(AnyPlaneText), text =>
        AssertOnlyProduces(JsonSchemaGrammarBuilder.ForSchema(Schema(new { @const = text })).Text, text)));

    [Fact]
    public void EnumValuesComeOutAsThemselves() => Check.One(s_config, Prop.ForAll(Arb.From(AnyPlaneText), Arb.From(AnyPlaneText), (first, second) =>
    {
        GbnfProgram program = GbnfProgram.Parse(JsonSchemaGrammarBuilder.ForSchema(Schema(new { @enum = new object[] { first, new[] { second } } })).Text);
        var sampler = new GbnfSampler(program);
        var random = new Random(first.Length * 31 + second.Length);
        for (int i = 0; i < 8; i++)
        {
            string output = sampler.Sample(random);
            AssertNoSurrogateEscapes(output);
            using JsonDocument document = JsonDocument.Parse(output);
            string decoded = document.RootElement.ValueKind == JsonValueKind.Array ? document.RootElement[0].GetString()! : document.RootElement.GetString()!;
            Assert.Contains(decoded, new[] { first, second });
        }
    }));

    [Fact]
    public void PatternLiteralsComeOutAsThemselves() => Check.One(s_config, Prop.ForAll(Arb.From(AnyPlaneText), text =>
        AssertOnlyProduces(JsonSchemaGrammarBuilder.ForSchema(Schema(new { type = "string", pattern = "^" + RegexEscape(text) + "$" })).Text, text)));

    [Fact]
    public void PatternLiteralsWrittenAsEscapesComeOutAsThemselves() => Check.One(s_config, Prop.ForAll(Arb.From(AnyPlaneText), text =>
    {
        // \uXXXX escapes of UTF-16 code units, surrogate pairs included, as JavaScript writes them.
        string escaped = string.Concat(text.Select(c => $"\\u{(int)c:X4}"));
        AssertOnlyProduces(JsonSchemaGrammarBuilder.ForSchema(Schema(new { type = "string", pattern = "^" + escaped + "$" })).Text, text);
    }));

    [Fact]
    public void PatternClassesProduceOnlyTheirCharacters() => Check.One(s_config, Prop.ForAll(Arb.From(AnyPlaneText.Where(t => t.Length > 0)), text =>
    {
        int[] members = [.. text.EnumerateRunes().Select(r => r.Value)];
        string pattern = "^[" + RegexEscape(text) + "]{1,6}$";
        var sampler = new GbnfSampler(GbnfProgram.Parse(JsonSchemaGrammarBuilder.ForSchema(Schema(new { type = "string", pattern })).Text));
        var random = new Random(text.Length);
        for (int i = 0; i < 8; i++)
        {
            string output = sampler.Sample(random);
            AssertNoSurrogateEscapes(output);
            string decoded = JsonDocument.Parse(output).RootElement.GetString()!;
            Assert.InRange(decoded.EnumerateRunes().Count(), 1, 6);
            Assert.All(decoded.EnumerateRunes(), r => Assert.Contains(r.Value, members));
        }
    }));

    [Fact]
    public void AdditionalPropertiesNeverRepeatADeclaredName() => Check.One(s_config, Prop.ForAll(Arb.From(AnyPlaneText), name =>
    {
        string text = JsonSchemaGrammarBuilder.ForSchema(Schema(new Dictionary<string, object>
        {
            ["type"] = "object",
            ["properties"] = new Dictionary<string, object> { [name] = new { type = "integer" } },
            ["additionalProperties"] = new { type = "boolean" },
        })).Text;
        var recognizer = new GbnfRecognizer(GbnfProgram.Parse(text));
        string key = Quote(name);
        Assert.True(recognizer.Accepts("{" + key + ":1}"), key);
        Assert.False(recognizer.Accepts("{" + key + ":true}"), key);
        Assert.False(recognizer.Accepts("{" + key + ":1," + key + ":true}"), key);
    }));

    [Fact]
    public void ToolNamesComeOutAsThemselves() => Check.One(s_config, Prop.ForAll(Arb.From(AnyPlaneText.Where(t => t.Length > 0)), name =>
    {
        AITool[] tools = [AIFunctionFactory.CreateDeclaration(name, "A tool.", Schema(new { type = "object", properties = new { n = new { type = "integer" } }, required = new[] { "n" } }))];
        foreach (ToolCallFormat format in new[] { ToolCallFormat.Hermes, ToolCallFormat.GenericJson, ToolCallFormat.MistralJsonArray })
        {
            var sampler = new GbnfSampler(GbnfProgram.Parse(ToolCallGrammarBuilder.ForToolMode(tools, ChatToolMode.RequireAny, format)!.Grammar.Text));
            string output = sampler.Sample(new Random(name.Length));
            AssertNoSurrogateEscapes(output);
            ParsedModelOutput parsed = ToolCallParser.Parse(output, format);
            Assert.NotEmpty(parsed.ToolCalls);
            Assert.All(parsed.ToolCalls, call => Assert.Equal(name, call.Name));
        }
    }));

    [Fact]
    public void TheIssuesPatternProducesExactlyItsText()
    {
        string grammar = JsonSchemaGrammarBuilder.ForSchema(Schema(new { type = "string", pattern = "^😀🎉 日本$" })).Text;
        AssertOnlyProduces(grammar, "😀🎉 日本");
        Assert.DoesNotContain("\\uD83D", grammar, StringComparison.OrdinalIgnoreCase);
    }

    // The grammar admits one text only: the JSON string of 'expected', with nothing but required escapes.
    private static void AssertOnlyProduces(string grammar, string expected)
    {
        GbnfProgram program = GbnfProgram.Parse(grammar);
        string output = new GbnfSampler(program).Sample(new Random(1));
        AssertNoSurrogateEscapes(output);
        Assert.Equal(expected, JsonDocument.Parse(output).RootElement.GetString());
        Assert.Equal(Quote(expected), output);
        Assert.True(new GbnfRecognizer(program).Accepts(output));
    }

    private static void AssertNoSurrogateEscapes(string output) =>
        Assert.DoesNotMatch(@"\\u[dD][89a-fA-F]", output);

    // JSON with only the escapes JSON requires (and DEL escaped), written independently of the library's writer.
    private static string Quote(string text)
    {
        var sb = new StringBuilder("\"");
        foreach (Rune rune in text.EnumerateRunes())
        {
            sb.Append(rune.Value switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                '\b' => "\\b",
                '\f' => "\\f",
                < 0x20 or 0x7F => $"\\u{rune.Value:x4}",
                _ => rune.ToString(),
            });
        }

        return sb.Append('"').ToString();
    }

    private static string RegexEscape(string text)
    {
        var sb = new StringBuilder();
        foreach (Rune rune in text.EnumerateRunes())
        {
            if (rune.IsAscii && "^$\\.*+?()[]{}|/-".Contains((char)rune.Value, StringComparison.Ordinal))
            {
                sb.Append('\\');
            }

            sb.Append(rune.ToString());
        }

        return sb.ToString();
    }

    private static JsonElement Schema(object schema) => JsonSerializer.SerializeToElement(schema);
}
