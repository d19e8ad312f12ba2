using System.Text.Json;
using Microsoft.Extensions.AI;
using OffGrid.Inference.Templates;
using OffGrid.Inference.Templates.Jinja;
using Xunit;

namespace OffGrid.Inference.Tests.Templates;

/// <summary>How M.E.AI conversations become template variables, and the public rendering entry point.</summary>
public sealed class ChatTemplateTests
{
    private const string ChatMl =
        "{% for message in messages %}<|im_start|>{{ message.role }}\n{{ message.content }}<|im_end|>\n{% endfor %}"
        + "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}";

    [Fact]
    public void RendersAChatMlConversation()
    {
        var template = ChatTemplate.Parse(ChatMl);
        string prompt = template.Render(new ChatTemplateContext([new(ChatRole.System, "Be brief."), new(ChatRole.User, "Hi")]));
        Assert.Equal("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n", prompt);
        Assert.Equal(ChatMl, template.Source);
    }

    [Fact]
    public void GenerationPromptCanBeTurnedOff()
    {
        string prompt = ChatTemplate.Parse(ChatMl).Render(new ChatTemplateContext([new(ChatRole.User, "Hi")]) { AddGenerationPrompt = false });
        Assert.Equal("<|im_start|>user\nHi<|im_end|>\n", prompt);
    }

    [Fact]
    public void ToolCallsAndResultsTakeOpenAiShape()
    {
        var variables = ChatTemplateVariables.Create(CorpusConversation.Create("any"), Defaults);
        string messages = TemplateJson.Serialize(variables["messages"]);

        Assert.Contains(
            """{"role": "assistant", "content": "", "tool_calls": [{"id": "call12345", "type": "function", "function": {"name": "get_weather", "arguments": {"location": "Paris", "unit": "celsius"}}}]}""",
            messages,
            StringComparison.Ordinal);
        Assert.Contains(
            """{"role": "tool", "content": "{\"temperature\": 22, \"condition\": \"sunny\"}", "tool_call_id": "call12345"}""",
            messages,
            StringComparison.Ordinal);
    }

    [Fact]
    public void ToolsTakeOpenAiShape()
    {
        var variables = ChatTemplateVariables.Create(CorpusConversation.Create("any"), Defaults);
        string tools = TemplateJson.Serialize(variables["tools"]);
        Assert.StartsWith(
            """[{"type": "function", "function": {"name": "get_weather", "description": "Gets the current weather for a city.", "parameters": {"type": "object", "properties": {"location": {"type": "string", """,
            tools,
            StringComparison.Ordinal);
    }

    [Fact]
    public void ToolsStayUndefinedUnlessGivenAndThinkingFollowsTheTemplate()
    {
        var variables = ChatTemplateVariables.Create(new ChatTemplateContext([new(ChatRole.User, "Hi")]), Defaults);
        Assert.False(variables.ContainsKey("tools"));
        Assert.Equal(false, variables["enable_thinking"]);
        Assert.Equal(string.Empty, variables["bos_token"]);
        Assert.Equal(true, variables["add_generation_prompt"]);

        const string Thinking = "{% if enable_thinking %}<think>{% else %}<think></think>{% endif %}";
        Assert.True(ChatTemplate.Parse(Thinking).SupportsThinking);
        Assert.False(ChatTemplate.Parse(ChatMl).SupportsThinking);
        Assert.Equal("<think>", ChatTemplate.Parse(Thinking).Render(new ChatTemplateContext([new(ChatRole.User, "Hi")])));
        Assert.Equal("<think></think>", ChatTemplate.Parse(Thinking).Render(new ChatTemplateContext([new(ChatRole.User, "Hi")]) { EnableThinking = false }));
    }

    // llama.cpp defines date_string and datetime, and strftime_now reads the same clock: Llama 3.1 prints today's date.
    [Fact]
    public void TheDateComesFromTheClock()
    {
        var context = new ChatTemplateContext([new(ChatRole.User, "Hi")]) { TimeProvider = new FixedClock(new DateTimeOffset(2031, 3, 7, 12, 0, 0, TimeSpan.Zero)) };
        string prompt = ChatTemplate.Parse("{{ date_string }}|{{ datetime }}|{{ strftime_now('%Y-%m-%d') }}").Render(context);
        Assert.Equal("07 Mar 2031|Mar 07 2031|2031-03-07", prompt);
    }

    // Where a template needs the arguments as text, it gets what the client sent; without it, compact JSON as llama.cpp writes.
    [Fact]
    public void ArgumentsTextIsTheOriginal()
    {
        const string Template = "{% for m in messages %}{% for c in m.tool_calls or [] %}{{ c.function.arguments + '|' }}{% endfor %}{% endfor %}";
        var withText = new FunctionCallContent("1", "f", new Dictionary<string, object?> { ["a"] = 1 }) { RawRepresentation = "{ \"a\" :1 }" };
        var withoutText = new FunctionCallContent("2", "f", new Dictionary<string, object?> { ["a"] = 1, ["b"] = "x" });
        string prompt = ChatTemplate.Parse(Template).Render(new ChatTemplateContext([new(ChatRole.Assistant, [withText, withoutText])]));
        Assert.Equal("{ \"a\" :1 }|{\"a\":1,\"b\":\"x\"}|", prompt);
    }

    [Fact]
    public void FlagsAndAdditionalVariablesReachTheTemplate()
    {
        var context = new ChatTemplateContext([new(ChatRole.User, "Hi")])
        {
            BosToken = "<s>",
            EosToken = "</s>",
            EnableThinking = false,
        };
        context.AdditionalVariables["tools_in_user_message"] = false;
        context.AdditionalVariables["limits"] = new Dictionary<string, object?> { ["max"] = 3, ["names"] = new[] { "a", "b" } };
        context.AdditionalVariables["schema"] = JsonDocument.Parse("""{"n": 1.5}""").RootElement;

        string prompt = ChatTemplate.Parse(
            "{{ bos_token }}{{ enable_thinking }} {{ tools_in_user_message }} {{ limits.max + 1 }} {{ limits.names | join }} {{ schema.n }}{{ eos_token }}")
            .Render(context);
        Assert.Equal("<s>False False 4 ab 1.5</s>", prompt);
    }

    [Fact]
    public void ReasoningBecomesReasoningContent()
    {
        var message = new ChatMessage(ChatRole.Assistant, [new TextReasoningContent("thinking"), new TextContent("answer")]);
        string prompt = ChatTemplate.Parse("{% for m in messages %}{{ m.reasoning_content }}|{{ m.content }}{% endfor %}")
            .Render(new ChatTemplateContext([message]));
        Assert.Equal("thinking|answer", prompt);
    }

    [Fact]
    public void FailedFunctionResultsReportTheError()
    {
        var result = new FunctionResultContent("c1", null) { Exception = new InvalidOperationException("no network") };
        string prompt = ChatTemplate.Parse("{% for m in messages %}{{ m.role }}:{{ m.content }}{% endfor %}")
            .Render(new ChatTemplateContext([new(ChatRole.Tool, [result])]));
        Assert.Equal("tool:Error: no network", prompt);
    }

    [Fact]
    public void TemplatesThatConcatenateArgumentsGetJsonText()
    {
        // functionary v3.2 does this; with object arguments Python would fail too. Without the client's text, the arguments
        // are written compactly, as llama.cpp writes them.
        const string template = "{% for m in messages %}{% for c in m.tool_calls %}{{ c.function.name + ' ' + c.function.arguments }}{% endfor %}{% endfor %}";
        string prompt = ChatTemplate.Parse(template).Render(CorpusConversation.Create("any"));
        Assert.Equal("""get_weather {"location":"Paris","unit":"celsius"}""", prompt);
    }

    [Fact]
    public void StrftimeNowReadsTheContextClock()
    {
        var context = new ChatTemplateContext([new(ChatRole.User, "Hi")]) { TimeProvider = new FixedTimeProvider(new DateTimeOffset(2025, 3, 7, 14, 5, 9, TimeSpan.Zero)) };
        string prompt = ChatTemplate.Parse("""{{ strftime_now("%Y-%m-%d %H:%M:%S") }} {{ strftime_now("%d %b %Y") }} {{ strftime_now("%B %-d, %A %I%p") }}""").Render(context);
        Assert.Equal("2025-03-07 14:05:09 07 Mar 2025 March 7, Friday 02PM", prompt);
    }

    [Fact]
    public void ParseAndRenderRejectNull()
    {
        Assert.Throws<ArgumentNullException>(() => ChatTemplate.Parse(null!));
        Assert.Throws<ArgumentNullException>(() => ChatTemplate.Parse("x").Render(null!));
        Assert.Throws<ArgumentNullException>(() => new ChatTemplateContext(null!));
    }

    [Fact]
    public void OneParsedTemplateRendersConcurrently()
    {
        var template = ChatTemplate.Parse("{% set ns = namespace(n=0) %}{% for m in messages %}{% set ns.n = ns.n + 1 %}{% endfor %}{{ ns.n }}");
        var results = Enumerable.Range(1, 64).AsParallel().Select(count =>
            (count, template.Render(new ChatTemplateContext(Enumerable.Repeat(new ChatMessage(ChatRole.User, "x"), count))))).ToList();
        Assert.All(results, result => Assert.Equal(result.count.ToString(System.Globalization.CultureInfo.InvariantCulture), result.Item2));
    }

    private sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;

        public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;
    }

    private static ChatTemplateVariables.Settings Defaults => new(ArgumentsAsJsonText: false, SupportsThinking: false, ToolResponsesInAssistantTurn: false, SystemIntoNextMessage: false);

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;

        public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;
    }
}
