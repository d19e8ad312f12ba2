using System.Text.Json;
using Microsoft.Extensions.AI;
using OffGrid.Inference.ToolCalls;

namespace OffGrid.Inference.Tests.ToolCalls;

public sealed class ToolCallParserTests
{
    public static TheoryData<string> SampleNames => [.. ParserSample.All.Select(s => s.Name)];

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void ParsesCompleteOutput(string name)
    {
        ParserSample sample = Find(name);
        AssertMatches(sample, ToolCallParser.Parse(sample.Output, sample.Format, sample.ReasoningStartsOpen));
    }

    // Streaming must agree with one-shot parsing wherever the deltas are cut.
    [Theory]
    [MemberData(nameof(SampleNames))]
    public void StreamingInTwoPiecesMatchesOneShotAtEverySplit(string name)
    {
        ParserSample sample = Find(name);
        for (int split = 0; split <= sample.Output.Length; split++)
        {
            var parser = new StreamingToolCallParser(sample.Format, sample.ReasoningStartsOpen);
            var contents = new List<AIContent>();
            contents.AddRange(parser.Append(sample.Output[..split]));
            contents.AddRange(parser.Append(sample.Output[split..]));
            contents.AddRange(parser.Complete());
            AssertMatches(sample, ParsedModelOutput.FromContents(contents), $"split at {split}");
        }
    }

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void StreamingCharacterByCharacterMatchesOneShotAndNeverLeaksMarkers(string name)
    {
        ParserSample sample = Find(name);
        var parser = new StreamingToolCallParser(sample.Format, sample.ReasoningStartsOpen);
        var contents = new List<AIContent>();
        foreach (char c in sample.Output)
        {
            contents.AddRange(parser.Append(c.ToString()));
        }

        contents.AddRange(parser.Complete());
        AssertMatches(sample, ParsedModelOutput.FromContents(contents));
        if (sample.Calls.Length > 0 && sample.Text.Length == 0)
        {
            Assert.DoesNotContain(contents, c => c is TextContent);
        }
    }

    [Fact]
    public void StreamingPassesTextOnBeforeTheCallCompletes()
    {
        var parser = new StreamingToolCallParser(ToolCallFormat.Hermes);
        Assert.Equal("Let me check", Assert.IsType<TextContent>(Assert.Single(parser.Append("Let me check <tool"))).Text);
        Assert.Empty(parser.Append("_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": "));
        Assert.Empty(parser.Append("\"Paris\"}}\n</tool_"));
        FunctionCallContent call = Assert.IsType<FunctionCallContent>(Assert.Single(parser.Append("call>")));
        Assert.Equal("get_weather", call.Name);
        Assert.Equal("Paris", ((JsonElement)call.Arguments!["city"]!).GetString());
        Assert.StartsWith("call_", call.CallId, StringComparison.Ordinal);
        Assert.Empty(parser.Complete());
    }

    [Fact]
    public void StreamingEmitsReasoningDeltasSeparately()
    {
        var parser = new StreamingToolCallParser(ToolCallFormat.Hermes);
        Assert.Empty(parser.Append("<thi"));
        Assert.Equal("Step one", Assert.IsType<TextReasoningContent>(Assert.Single(parser.Append("nk>Step one"))).Text);
        Assert.Equal(", two.", Assert.IsType<TextReasoningContent>(Assert.Single(parser.Append(", two.</thi"))).Text);
        Assert.Equal("Answer", Assert.IsType<TextContent>(Assert.Single(parser.Append("nk>\n\nAnswer"))).Text);
        Assert.Empty(parser.Complete());
    }

    [Fact]
    public void GeneratedCallIdsAreUnique()
    {
        ParsedModelOutput output = ToolCallParser.Parse(ParserSample.All.Single(s => s.Name == "hermes-parallel").Output, ToolCallFormat.Hermes);
        Assert.Equal(2, output.ToolCalls.Select(c => c.CallId).Distinct().Count());
    }

    // A lone surrogate escape is not text: a call whose arguments hold one stays text instead of failing when read.
    [Fact]
    public void ArgumentsWithALoneSurrogateStayText()
    {
        const string Output = "<tool_call>\n{\"name\":\"f\",\"arguments\":{\"a\":\"\\ud800\"}}\n</tool_call>";
        ParsedModelOutput output = ToolCallParser.Parse(Output, ToolCallFormat.Hermes);
        Assert.Empty(output.ToolCalls);
        Assert.Contains("\\ud800", output.Text, StringComparison.Ordinal);
    }

    // The engine's closing completes the first call when the budget ran out inside it, so a required call is made.
    [Theory]
    [InlineData(nameof(ToolCallFormat.Hermes), "<tool_call>\n{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Par", "\"}}\n</tool_call>", "get_weather", """{"city":"Par"}""")]
    [InlineData(nameof(ToolCallFormat.GenericJson), "{\"tool_calls\":[{\"name\":\"get_weather\",\"arguments\":{\"ci", "ty\":\"\"}}]}", "get_weather", """{"city":""}""")]
    public void ClosingCompletesTheFirstCall(string formatName, string sampled, string closing, string name, string arguments)
    {
        var parser = new StreamingToolCallParser(Enum.Parse<ToolCallFormat>(formatName));
        var contents = parser.Append(sampled).Concat(parser.Complete(closing)).ToList();
        FunctionCallContent call = Assert.IsType<FunctionCallContent>(Assert.Single(contents));
        Assert.Equal(name, call.Name);
        Assert.Equal(arguments, JsonSerializer.Serialize(call.Arguments));
    }

    // After calls the model finished, a later call the budget cut off is dropped rather than completed with made-up arguments.
    [Theory]
    [InlineData(nameof(ToolCallFormat.Hermes), "<tool_call>\n{\"name\":\"a\",\"arguments\":{}}\n</tool_call>\n<tool_call>\n{\"name\":\"b\",\"arguments\":{\"x\":\"y", "\"}}\n</tool_call>")]
    [InlineData(nameof(ToolCallFormat.Hermes), "<tool_call>\n{\"name\":\"a\",\"arguments\":{}}\n</tool_call>\n<tool", "_call>\n{\"name\":\"b\",\"arguments\":{}}\n</tool_call>")]
    [InlineData(nameof(ToolCallFormat.GenericJson), "{\"tool_calls\":[{\"name\":\"a\",\"arguments\":{}},{\"name\":\"b\",\"arguments\":{\"x\":\"y", "\"}}]}")]
    [InlineData(nameof(ToolCallFormat.MistralJsonArray), "[TOOL_CALLS][{\"name\":\"a\",\"arguments\":{}},{\"na", "me\":\"b\",\"arguments\":{}}]")]
    public void ClosingDropsACallCutOffAfterFinishedOnes(string formatName, string sampled, string closing)
    {
        ToolCallFormat format = Enum.Parse<ToolCallFormat>(formatName);
        for (int split = 0; split <= sampled.Length; split++)
        {
            var parser = new StreamingToolCallParser(format);
            var contents = parser.Append(sampled[..split]).Concat(parser.Append(sampled[split..])).Concat(parser.Complete(closing)).ToList();
            Assert.Equal("a", Assert.IsType<FunctionCallContent>(Assert.Single(contents)).Name);
        }
    }

    [Fact]
    public void AppendAfterCompleteThrows()
    {
        var parser = new StreamingToolCallParser(ToolCallFormat.Hermes);
        parser.Complete();
        Assert.Throws<ObjectDisposedException>(() => parser.Append("x"));
    }

    [Fact]
    public void ContentsComeInMessageOrder()
    {
        var output = ToolCallParser.Parse("<think>why</think>Because.<tool_call>{\"name\":\"f\",\"arguments\":{}}</tool_call>", ToolCallFormat.Hermes);
        IList<AIContent> contents = output.ToContents();
        Assert.IsType<TextReasoningContent>(contents[0]);
        Assert.Equal("Because.", Assert.IsType<TextContent>(contents[1]).Text);
        Assert.Equal("f", Assert.IsType<FunctionCallContent>(contents[2]).Name);
    }

    internal static void AssertMatches(ParserSample sample, ParsedModelOutput actual, string context = "")
    {
        string where = $"[{sample.Name}] {context}";
        Assert.True(sample.Text == actual.Text, $"{where} text: expected <{sample.Text}> got <{actual.Text}>");
        Assert.True(sample.Reasoning == actual.Reasoning, $"{where} reasoning: expected <{sample.Reasoning}> got <{actual.Reasoning}>");
        Assert.True(sample.Calls.Length == actual.ToolCalls.Count, $"{where} calls: expected {sample.Calls.Length} got {actual.ToolCalls.Count}");
        for (int i = 0; i < sample.Calls.Length; i++)
        {
            ExpectedCall expected = sample.Calls[i];
            FunctionCallContent call = actual.ToolCalls[i];
            Assert.Equal(expected.Name, call.Name);
            Assert.Equal(expected.Arguments, JsonSerializer.Serialize(call.Arguments));
            if (expected.Id is not null)
            {
                Assert.Equal(expected.Id, call.CallId);
            }
            else
            {
                // Mistral's templates only accept 9 letters and digits as a call id.
                Assert.Matches(sample.Name.Contains("istral", StringComparison.Ordinal) ? "^[A-Za-z0-9]{9}$" : "^call_[A-Za-z0-9]{24}$", call.CallId);
            }
        }
    }

    private static ParserSample Find(string name) => ParserSample.All.Single(s => s.Name == name);
}
