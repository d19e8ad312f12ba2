using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;
using OffGrid.Inference.Grammar;
using OffGrid.Inference.Tests.Grammar;
using OffGrid.Inference.ToolCalls;

namespace OffGrid.Inference.Tests.ToolCalls;

public sealed class ToolCallGrammarBuilderTests
{
    private const string WeatherSchema = """{"type":"object","properties":{"city":{"type":"string","maxLength":20},"unit":{"enum":["c","f"]}},"required":["city"],"additionalProperties":false}""";
    private const string TimeSchema = """{"type":"object","properties":{"zone":{"type":"string","format":"uuid"},"utc":{"type":"boolean"}},"required":["utc"]}""";

    private static readonly AITool[] s_tools =
    [
        AIFunctionFactory.CreateDeclaration("get_weather", "Weather for a city.", Parse(WeatherSchema)),
        AIFunctionFactory.CreateDeclaration("get_time", "Time in a zone.", Parse(TimeSchema)),
    ];

    public static TheoryData<string> Formats => [.. Enum.GetNames<ToolCallFormat>().Where(n => n != nameof(ToolCallFormat.None))];

    // Whatever a random model writes through the grammar, the parser for the same format reads back as calls
    // to the offered tools with schema-valid arguments, and nothing else.
    [Theory]
    [MemberData(nameof(Formats))]
    public async Task RandomWalksThroughRequiredGrammarParseAsValidCalls(string formatName)
    {
        ToolCallFormat format = Enum.Parse<ToolCallFormat>(formatName);
        ToolCallGrammar grammar = ToolCallGrammarBuilder.ForToolMode(s_tools, ChatToolMode.RequireAny, format, maxCalls: 3)!;
        Assert.False(grammar.IsLazy);
        GbnfProgram program = GbnfProgram.Parse(grammar.Grammar.Text);
        Assert.Equal(0, program.UnboundedRepetitions);
        var sampler = new GbnfSampler(program);
        var validators = new Dictionary<string, NJsonSchema.JsonSchema>
        {
            ["get_weather"] = await NJsonSchema.JsonSchema.FromJsonAsync(WeatherSchema, TestContext.Current.CancellationToken),
            ["get_time"] = await NJsonSchema.JsonSchema.FromJsonAsync(TimeSchema, TestContext.Current.CancellationToken),
        };
        var random = new Random(42);
        var seenNames = new HashSet<string>();
        for (int i = 0; i < 100; i++)
        {
            string output = sampler.Sample(random);
            ParsedModelOutput parsed = ToolCallParser.Parse(output, format);
            Assert.True(parsed.Text.Length == 0, $"{format}: unparsed text <{parsed.Text}> in {output}");
            Assert.InRange(parsed.ToolCalls.Count, 1, 3);
            foreach (FunctionCallContent call in parsed.ToolCalls)
            {
                seenNames.Add(call.Name);
                var errors = validators[call.Name].Validate(JsonSerializer.Serialize(call.Arguments));
                Assert.True(errors.Count == 0, $"{format}: invalid arguments in {output}: {string.Join("; ", errors)}");
            }
        }

        Assert.Equal(2, seenNames.Count);
    }

    [Theory]
    [InlineData(nameof(ToolCallFormat.Hermes), "<tool_call>\n{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Paris\"}}\n</tool_call>")]
    [InlineData(nameof(ToolCallFormat.Llama3Json), "{\"name\":\"get_weather\",\"parameters\":{\"city\":\"Paris\",\"unit\":\"c\"}}")]
    [InlineData(nameof(ToolCallFormat.Llama3Json), "<|python_tag|>{\"name\":\"get_time\",\"parameters\":{\"utc\":true}}")]
    [InlineData(nameof(ToolCallFormat.MistralJsonArray), "[TOOL_CALLS][{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Paris\"}},{\"name\":\"get_time\",\"arguments\":{\"utc\":false}}]")]
    [InlineData(nameof(ToolCallFormat.MistralNameArgs), "[TOOL_CALLS]get_weather[ARGS]{\"city\":\"Paris\"}[TOOL_CALLS]get_time[ARGS]{\"utc\":true}")]
    [InlineData(nameof(ToolCallFormat.FunctionaryV32), "get_weather\n{\"city\":\"Paris\"}>>>get_time\n{\"utc\":true}")]
    [InlineData(nameof(ToolCallFormat.FunctionaryV31), "<function=get_weather>{\"city\":\"Paris\"}</function>")]
    [InlineData(nameof(ToolCallFormat.DeepSeekV3), "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>get_weather<｜tool▁sep｜>{\"city\":\"Paris\"}<｜tool▁call▁end｜><｜tool▁calls▁end｜>")]
    [InlineData(nameof(ToolCallFormat.DeepSeekR1), "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>get_weather\n```json\n{\"city\":\"Paris\"}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>")]
    [InlineData(nameof(ToolCallFormat.GenericJson), "{\"tool_calls\":[{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Paris\"}}]}")]
    public void RequiredGrammarAcceptsTheFamilysOwnShape(string formatName, string output)
    {
        ToolCallFormat format = Enum.Parse<ToolCallFormat>(formatName);
        ToolCallGrammar grammar = ToolCallGrammarBuilder.ForToolMode(s_tools, ChatToolMode.RequireAny, format)!;
        Assert.True(GbnfRecognizer.Accepts(grammar.Grammar.Text, output), grammar.Grammar.Text);
        Assert.False(GbnfRecognizer.Accepts(grammar.Grammar.Text, "I will not call a tool."));
        Assert.False(GbnfRecognizer.Accepts(grammar.Grammar.Text, output.Replace("get_weather", "get_wether", StringComparison.Ordinal).Replace("get_time", "get_tme", StringComparison.Ordinal)));
    }

    [Fact]
    public void ArgumentsMustMatchTheSchema()
    {
        string text = ToolCallGrammarBuilder.ForToolMode(s_tools, ChatToolMode.RequireAny, ToolCallFormat.Hermes)!.Grammar.Text;
        Assert.True(GbnfRecognizer.Accepts(text, "<tool_call>\n{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Paris\",\"unit\":\"c\"}}\n</tool_call>"));
        Assert.False(GbnfRecognizer.Accepts(text, "<tool_call>\n{\"name\":\"get_weather\",\"arguments\":{\"unit\":\"c\"}}\n</tool_call>"));
        Assert.False(GbnfRecognizer.Accepts(text, "<tool_call>\n{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Paris\",\"unit\":\"k\"}}\n</tool_call>"));
        Assert.False(GbnfRecognizer.Accepts(text, "<tool_call>\n{\"name\":\"get_time\",\"arguments\":{\"city\":\"Paris\"}}\n</tool_call>"));
    }

    [Fact]
    public void RequireSpecificAllowsOnlyThatFunction()
    {
        string text = ToolCallGrammarBuilder.ForToolMode(s_tools, ChatToolMode.RequireSpecific("get_time"), ToolCallFormat.Hermes)!.Grammar.Text;
        Assert.True(GbnfRecognizer.Accepts(text, "<tool_call>\n{\"name\":\"get_time\",\"arguments\":{\"utc\":true}}\n</tool_call>"));
        Assert.False(GbnfRecognizer.Accepts(text, "<tool_call>\n{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Paris\"}}\n</tool_call>"));
    }

    [Fact]
    public void MaxCallsBoundsParallelCalls()
    {
        string one = "<tool_call>\n{\"name\":\"get_time\",\"arguments\":{\"utc\":true}}\n</tool_call>";
        string single = ToolCallGrammarBuilder.ForToolMode(s_tools, ChatToolMode.RequireAny, ToolCallFormat.Hermes, maxCalls: 1)!.Grammar.Text;
        string two = ToolCallGrammarBuilder.ForToolMode(s_tools, ChatToolMode.RequireAny, ToolCallFormat.Hermes, maxCalls: 2)!.Grammar.Text;
        Assert.True(GbnfRecognizer.Accepts(single, one));
        Assert.False(GbnfRecognizer.Accepts(single, one + "\n" + one));
        Assert.True(GbnfRecognizer.Accepts(two, one + "\n" + one));
        Assert.False(GbnfRecognizer.Accepts(two, one + "\n" + one + "\n" + one));
    }

    [Fact]
    public void NoGrammarWithoutCallableTools()
    {
        Assert.Null(ToolCallGrammarBuilder.ForToolMode(s_tools, ChatToolMode.None, ToolCallFormat.Hermes));
        Assert.Null(ToolCallGrammarBuilder.ForToolMode([], ChatToolMode.RequireAny, ToolCallFormat.Hermes));
        Assert.Null(ToolCallGrammarBuilder.ForToolMode(null, ChatToolMode.Auto, ToolCallFormat.Hermes));
    }

    [Fact]
    public void UnknownRequiredFunctionIsRejected() =>
        Assert.Throws<InvalidRequestException>(() => ToolCallGrammarBuilder.ForToolMode(s_tools, ChatToolMode.RequireSpecific("nope"), ToolCallFormat.Hermes));

    [Fact]
    public void FunctionWithoutSchemaTakesAnyObject()
    {
        AITool[] tools = [AIFunctionFactory.CreateDeclaration("ping", "No parameters.", default)];
        string text = ToolCallGrammarBuilder.ForToolMode(tools, ChatToolMode.RequireAny, ToolCallFormat.MistralNameArgs)!.Grammar.Text;
        Assert.True(GbnfRecognizer.Accepts(text, "[TOOL_CALLS]ping[ARGS]{}"));
    }

    // In Auto mode the model writes freely; where a trigger matches, llama.cpp starts the grammar at the first capture
    // group (or the match), and from there the text must be accepted.
    [Theory]
    [InlineData(nameof(ToolCallFormat.Hermes), "Let me check. ", "<tool_call>\n{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Paris\"}}\n</tool_call>")]
    [InlineData(nameof(ToolCallFormat.Llama3Json), "", "{\"name\":\"get_weather\",\"parameters\":{\"city\":\"Paris\"}}")]
    [InlineData(nameof(ToolCallFormat.Llama3Json), "", "<|python_tag|>{\"name\":\"get_time\",\"parameters\":{\"utc\":true}}")]
    [InlineData(nameof(ToolCallFormat.MistralNameArgs), "Sure.", "[TOOL_CALLS]get_weather[ARGS]{\"city\":\"Paris\"}")]
    [InlineData(nameof(ToolCallFormat.MistralJsonArray), "", "[TOOL_CALLS][{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Paris\"}}]")]
    [InlineData(nameof(ToolCallFormat.FunctionaryV32), "", "get_weather\n{\"city\":\"Paris\"}")]
    [InlineData(nameof(ToolCallFormat.FunctionaryV32), "all\nChecking.\n", ">>>get_weather\n{\"city\":\"Paris\"}")]
    [InlineData(nameof(ToolCallFormat.FunctionaryV31), "Checking: ", "<function=get_weather>{\"city\":\"Paris\"}</function>")]
    [InlineData(nameof(ToolCallFormat.DeepSeekV3), "Checking.", "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>get_weather<｜tool▁sep｜>{\"city\":\"Paris\"}<｜tool▁call▁end｜><｜tool▁calls▁end｜>")]
    [InlineData(nameof(ToolCallFormat.GenericJson), "", "{\"tool_calls\":[{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Paris\"}}]}")]
    public void LazyTriggersStartTheGrammarWhereTheCallStarts(string formatName, string prefix, string call)
    {
        ToolCallFormat format = Enum.Parse<ToolCallFormat>(formatName);
        ToolCallGrammar grammar = ToolCallGrammarBuilder.ForToolMode(s_tools, ChatToolMode.Auto, format)!;
        Assert.True(grammar.IsLazy);
        Assert.NotEmpty(grammar.TriggerPatterns);
        string output = prefix + call;

        // Like llama.cpp, test the trigger after every generated character and start at the first match.
        for (int length = 1; length <= output.Length; length++)
        {
            string generated = output[..length];
            int? start = FirstTriggerStart(grammar.TriggerPatterns, generated);
            if (start is null)
            {
                continue;
            }

            Assert.Equal(prefix.Length, start.Value);
            Assert.True(GbnfRecognizer.Accepts(grammar.Grammar.Text, output[start.Value..]), $"{format}: grammar rejects {output[start.Value..]}");
            return;
        }

        Assert.Fail($"{format}: no trigger matched {output}");
    }

    [Fact]
    public void LazyTriggersDoNotFireOnPlainText()
    {
        foreach (ToolCallFormat format in Enum.GetValues<ToolCallFormat>())
        {
            ToolCallGrammar grammar = ToolCallGrammarBuilder.ForToolMode(s_tools, ChatToolMode.Auto, format)!;
            Assert.Null(FirstTriggerStart(grammar.TriggerPatterns, "The weather in Paris is {usually} mild; the time is 12:00."));
        }
    }

    private static int? FirstTriggerStart(IEnumerable<string> patterns, string generated)
    {
        foreach (string pattern in patterns)
        {
            var regex = new Regex(pattern, RegexOptions.ECMAScript);
            Match match = regex.Match(generated);
            bool whole = pattern.StartsWith('^') && pattern.EndsWith('$');
            if (match.Success && (!whole || match.Length == generated.Length))
            {
                Group? group = match.Groups.Cast<Group>().Skip(1).FirstOrDefault(g => g.Success && g.Length > 0);
                return group?.Index ?? match.Index;
            }
        }

        return null;
    }

    private static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement.Clone();
}
