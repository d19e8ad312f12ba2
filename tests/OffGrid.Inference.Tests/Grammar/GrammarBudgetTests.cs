using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using OffGrid.Inference.Grammar;
using OffGrid.Inference.ToolCalls;

namespace OffGrid.Inference.Tests.Grammar;

/// <summary>
/// The library's grammar follower (<see cref="GrammarMatcher"/>, <see cref="GrammarBudget"/>) checked against the
/// test-side recognizer: it accepts what the recognizer accepts, and the closing it proposes from any point of a
/// random walk completes a text the recognizer (and the schema validator) accepts.
/// </summary>
public sealed class GrammarBudgetTests
{
    public static TheoryData<string> SampleNames => [.. SchemaSample.All.Select(s => s.Name)];

    public static TheoryData<string> Formats => [.. Enum.GetNames<ToolCallFormat>().Where(n => n != nameof(ToolCallFormat.None))];

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void MatcherAgreesWithTheRecognizer(string name)
    {
        SchemaSample sample = SchemaSample.All.Single(s => s.Name == name);
        string grammar = JsonSchemaGrammarBuilder.ForSchema(JsonDocument.Parse(sample.Schema).RootElement).Text;
        var recognizer = new GbnfRecognizer(GbnfProgram.Parse(grammar));
        GrammarMatcher start = GrammarMatcher.Start(CompiledGrammar.Parse(grammar));
        foreach (string document in sample.Valid.Concat(sample.Invalid))
        {
            Assert.True(recognizer.Accepts(document) == start.Advance(document).CanEnd, $"[{name}] disagrees on {document}");
        }
    }

    // A repetition applies to the whole literal or group before it, as in llama.cpp.
    [Theory]
    [InlineData("root ::= \">>>\"? \"ab\"\n", "ab", ">>ab")]
    [InlineData("root ::= \">>>\"? \"ab\"\n", ">>>ab", ">ab")]
    [InlineData("root ::= (\"c\" | \"d\"){2,3} x*\nx ::= [0-9] # digits\n", "cdc01", "c0")]
    [InlineData("root ::= \"ab\"+ [^a-c]\n", "ababz", "abc")]
    [InlineData("root ::= [\\U0001F600-\\U0001F64F]{2} \"\\u65e5\"\n", "😀🙏日", "😀日")]
    public void MatcherAgreesWithTheRecognizerOnHandWrittenGrammars(string grammar, string accepted, string rejected)
    {
        GrammarMatcher start = GrammarMatcher.Start(CompiledGrammar.Parse(grammar));
        Assert.True(start.Advance(accepted).CanEnd && GbnfRecognizer.Accepts(grammar, accepted), accepted);
        Assert.False(start.Advance(rejected).CanEnd || GbnfRecognizer.Accepts(grammar, rejected), rejected);
    }

    [Theory]
    [MemberData(nameof(SampleNames))]
    public async Task ClosingFromAnyPointCompletesAValidDocument(string name)
    {
        SchemaSample sample = SchemaSample.All.Single(s => s.Name == name);
        string grammar = JsonSchemaGrammarBuilder.ForSchema(JsonDocument.Parse(sample.Schema).RootElement).Text;
        NJsonSchema.JsonSchema? validator = sample.ValidatorUnderstands ? await NJsonSchema.JsonSchema.FromJsonAsync(sample.Schema, TestContext.Current.CancellationToken) : null;
        foreach (string completed in Closings(grammar, seed: name.Length, walks: 20))
        {
            using (JsonDocument.Parse(completed))
            {
            }

            Assert.True(validator is null || validator.Validate(completed).Count == 0, $"[{name}] {completed}");
        }
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void ClosingFromAnyPointOfARequiredToolCallParsesAsACall(string formatName)
    {
        ToolCallFormat format = Enum.Parse<ToolCallFormat>(formatName);
        AITool[] tools =
        [
            AIFunctionFactory.CreateDeclaration("get_weather", "Weather.", JsonDocument.Parse("""{"type":"object","properties":{"city":{"type":"string"},"days":{"type":"integer","minimum":1,"maximum":7}},"required":["city","days"]}""").RootElement),
            AIFunctionFactory.CreateDeclaration("get_time", "Time.", JsonDocument.Parse("""{"type":"object","properties":{"utc":{"type":"boolean"}}}""").RootElement),
        ];
        string grammar = ToolCallGrammarBuilder.ForToolMode(tools, ChatToolMode.RequireAny, format, maxCalls: 3)!.Grammar.Text;
        foreach (string completed in Closings(grammar, seed: 3, walks: 10))
        {
            ParsedModelOutput parsed = ToolCallParser.Parse(completed, format);
            Assert.NotEmpty(parsed.ToolCalls);
            Assert.True(parsed.Text.Length == 0, $"{format}: {completed}");
        }
    }

    [Fact]
    public void LazyGrammarIsFollowedFromItsTrigger()
    {
        AITool[] tools = [AIFunctionFactory.CreateDeclaration("get_weather", "Weather.", JsonDocument.Parse("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""").RootElement)];
        ToolCallGrammar grammar = ToolCallGrammarBuilder.ForToolMode(tools, ChatToolMode.Auto, ToolCallFormat.Hermes)!;
        GrammarBudget budget = GrammarBudget.Start(CompiledGrammar.Parse(grammar.Grammar.Text), grammar.TriggerPatterns);
        string output = string.Empty;
        foreach (string piece in new[] { "Let me ", "check. <tool", "_call>\n{\"na", "me\":\"get_weather\",\"argum" })
        {
            Assert.Null(budget.Closing is { } c && output.Length < 20 ? c : null);
            budget = budget.Advance(Encoding.UTF8.GetBytes(piece));
            output += piece;
        }

        string closing = budget.Closing!;
        ParsedModelOutput parsed = ToolCallParser.Parse(output + closing, ToolCallFormat.Hermes);
        Assert.Equal("Let me check.", parsed.Text);
        Assert.Equal("get_weather", Assert.Single(parsed.ToolCalls).Name);
    }

    [Fact]
    public void CharactersSplitAcrossTokensAreFollowed()
    {
        string grammar = JsonSchemaGrammarBuilder.ForSchema(JsonSerializer.SerializeToElement(new { type = "string", pattern = "^😀+$" })).Text;
        GrammarBudget budget = GrammarBudget.Start(CompiledGrammar.Parse(grammar), null);
        byte[] bytes = Encoding.UTF8.GetBytes("\"😀😀");
        foreach (byte b in bytes)
        {
            budget = budget.Advance([b]);
            Assert.NotNull(budget.Closing);
        }

        Assert.Equal("\"", budget.Closing);
        Assert.Null(budget.Advance("x"u8).Closing);
    }

    // Random walks through the grammar stand in for a model; from points along each walk, the walk so far plus the
    // proposed closing must be accepted by the independent recognizer.
    private static IEnumerable<string> Closings(string grammar, int seed, int walks)
    {
        GbnfProgram program = GbnfProgram.Parse(grammar);
        var sampler = new GbnfSampler(program);
        var recognizer = new GbnfRecognizer(program);
        GrammarMatcher start = GrammarMatcher.Start(CompiledGrammar.Parse(grammar));
        var random = new Random(seed);
        for (int walk = 0; walk < walks; walk++)
        {
            string text = sampler.Sample(random, budget: 300);
            int[] cuts = [.. Enumerable.Range(0, 6).Select(_ => random.Next(text.Length + 1)), 0, text.Length];
            foreach (int cut in cuts)
            {
                // Cut between characters, never inside a surrogate pair.
                int at = cut > 0 && cut < text.Length && char.IsLowSurrogate(text[cut]) ? cut - 1 : cut;
                GrammarMatcher matcher = start.Advance(text[..at]);
                Assert.False(matcher.IsDead, $"the matcher rejects a prefix the grammar produced: {text[..at]}");
                string? closing = matcher.ShortestCompletion();
                Assert.NotNull(closing);
                string completed = text[..at] + closing;
                Assert.True(recognizer.Accepts(completed), $"not accepted: {completed}");
                Assert.True(start.Advance(completed).CanEnd, completed);
                yield return completed;
            }
        }
    }
}
