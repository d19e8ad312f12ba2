using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using OffGrid.Inference.Templates;
using OffGrid.Testing.LlamaCpp;

namespace OffGrid.Inference.Tests.Templates;

/// <summary>
/// Every chat template shipped with llama.cpp, rendered by OffGrid and by llama.cpp itself (what llama-server's
/// <c>/apply-template</c> answers) for a tool-calling conversation: a system prompt, a user turn, an assistant tool call,
/// its result and a second user turn, with one tool declared; and a plain chat with a system prompt. The prompts must be
/// byte-identical (llama.cpp is given the same BOS text, so BOS handling is compared too), and a conversation llama.cpp
/// refuses must be refused by OffGrid as well.
/// </summary>
public sealed class LlamaServerTemplateTests(ITestOutputHelper output)
{
    private const string CallId = "call12345";

    // The arguments text as a JavaScript client sends it: templates that print the arguments text must print exactly
    // this, not a re-serialization.
    private const string Arguments = """{"location":"Paris","unit": "celsius"}""";
    private const string Result = """{"temperature": 22, "condition": "sunny"}""";

    private const string Schema = """
        {"type": "object", "properties": {"location": {"type": "string", "description": "City name"}, "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}}, "required": ["location"]}
        """;

    [Fact]
    public async Task EveryTemplateRendersAsLlamaServerDoes()
    {
        var runtime = await TestRuntime.EnsureLoadedAsync();
        var sources = LlamaCppSources.TemplateFiles.ToDictionary(file => Path.GetFileNameWithoutExtension(file), File.ReadAllText, StringComparer.Ordinal);
        DateTimeOffset now = DateTimeOffset.Now;
        var cases = new Dictionary<string, (string Source, bool Tools)>(StringComparer.Ordinal);
        foreach ((string name, string source) in sources)
        {
            cases[name + "+tools"] = (source, true);
            cases[name + "+chat"] = (source, false);
        }

        IReadOnlyDictionary<string, OracleResult> llama = LlamaServerTemplateOracle.Render(
            cases.ToDictionary(pair => pair.Key, pair => new LlamaServerCase(pair.Value.Source, "<s>", "</s>", MessagesJson(pair.Value.Tools), pair.Value.Tools ? ToolsJson() : "[]")),
            now,
            runtime.LibraryDirectory);

        var rows = new List<(string Name, string Verdict, string Detail)>();
        foreach ((string name, (string source, bool tools)) in cases)
        {
            OracleResult theirs = llama[name];
            string? ours = null;
            string? error = null;
            try
            {
                ours = ChatTemplate.Parse(source).Render(Context(now, tools));
            }
            catch (ChatTemplateException ex)
            {
                error = ex.Message;
            }

            rows.Add((theirs.Output, ours) switch
            {
                (null, null) => (name, "both-refuse", $"OffGrid: {error}"),
                (null, _) => (name, "llama-refuses", theirs.Error!),
                (_, null) => (name, "offgrid-fails", error!),
                var (t, o) when t == o => (name, "identical", $"{o.Length} chars"),
                var (t, o) => (name, "different", PromptDiff.FirstDifference(o!, t!, "llama.cpp")),
            });
        }

        var report = new StringBuilder();
        foreach (var group in rows.GroupBy(r => (r.Name.EndsWith("+tools", StringComparison.Ordinal) ? "tool conversation, " : "plain chat, ") + r.Verdict).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            report.AppendLine($"{group.Key}: {group.Count()}");
        }

        foreach (var row in rows.OrderBy(r => r.Verdict, StringComparer.Ordinal).ThenBy(r => r.Name, StringComparer.Ordinal))
        {
            report.AppendLine($"{row.Name,-56} {row.Verdict,-14} {row.Detail.ReplaceLineEndings(" ")}");
        }

        output.WriteLine(report.ToString());
        var failures = rows.Where(r => r.Verdict is not ("identical" or "both-refuse")).ToList();
        Assert.True(failures.Count == 0, $"{failures.Count} renderings differ from llama.cpp's:\n{report}");
        Assert.True(rows.Count(r => r.Verdict == "identical" && r.Name.EndsWith("+tools", StringComparison.Ordinal)) >= 64, report.ToString());
    }

    private static ChatTemplateContext Context(DateTimeOffset now, bool tools)
    {
        var call = new FunctionCallContent(CallId, "get_weather", new Dictionary<string, object?> { ["location"] = "Paris", ["unit"] = "celsius" })
        {
            RawRepresentation = Arguments,
        };
        ChatMessage[] messages = tools
            ?
            [
                new(ChatRole.System, "You are a helpful assistant."),
                new(ChatRole.User, "What is the weather in Paris?"),
                new(ChatRole.Assistant, [call]),
                new(ChatRole.Tool, [new FunctionResultContent(CallId, Result)]),
                new(ChatRole.User, "Thanks! And in London?"),
            ]
            :
            [
                new(ChatRole.System, "You are a helpful assistant."),
                new(ChatRole.User, "Hello!"),
                new(ChatRole.Assistant, "Hi! How can I help you today?"),
                new(ChatRole.User, "Tell me a joke."),
            ];
        return new ChatTemplateContext(messages)
        {
            Tools = tools ? [AIFunctionFactory.CreateDeclaration("get_weather", "Gets the current weather for a city.", JsonDocument.Parse(Schema).RootElement)] : null,
            BosToken = "<s>",
            EosToken = "</s>",
            TimeProvider = new FixedTime(now),
        };
    }

    private static string MessagesJson(bool tools) => JsonSerializer.Serialize(tools
        ? new object[]
        {
            new { role = "system", content = "You are a helpful assistant." },
            new { role = "user", content = "What is the weather in Paris?" },
            new { role = "assistant", content = (string?)null, tool_calls = new[] { new { id = CallId, type = "function", function = new { name = "get_weather", arguments = Arguments } } } },
            new { role = "tool", tool_call_id = CallId, content = Result },
            new { role = "user", content = "Thanks! And in London?" },
        }
        : new object[]
        {
            new { role = "system", content = "You are a helpful assistant." },
            new { role = "user", content = "Hello!" },
            new { role = "assistant", content = "Hi! How can I help you today?" },
            new { role = "user", content = "Tell me a joke." },
        });

    private static string ToolsJson() =>
        """[{"type": "function", "function": {"name": "get_weather", "description": "Gets the current weather for a city.", "parameters": """ + Schema.Trim() + "}}]";

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now.ToUniversalTime();
    }
}
