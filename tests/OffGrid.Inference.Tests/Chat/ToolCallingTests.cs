using System.Text.Json;
using Microsoft.Extensions.AI;
using NJsonSchema;
using OffGrid.Inference.Chat;
using OffGrid.Inference.Engine;
using OffGrid.Inference.Models;
using OffGrid.Testing.LlamaCpp;
using OffGrid.Testing.Models;

namespace OffGrid.Inference.Tests.Chat;

/// <summary>
/// Tool calling through real chat templates (from llama.cpp's corpus) on random-weight models: a required call is
/// forced by the grammar, so it always parses and its arguments always match the tool's schema.
/// </summary>
public sealed class ToolCallingTests
{
    private const string WeatherSchema = """
        { "type": "object", "properties": { "city": { "type": "string", "maxLength": 16 }, "unit": { "enum": ["celsius", "fahrenheit"] } }, "required": ["city"] }
        """;

    private const string SumSchema = """
        { "type": "object", "properties": { "a": { "type": "integer", "minimum": 0, "maximum": 999 }, "b": { "type": "integer", "minimum": 0, "maximum": 999 } }, "required": ["a", "b"] }
        """;

    public static TheoryData<string> Families => new() { "qwen", "llama3", "mistral" };

    private static readonly AIFunctionDeclaration s_weather = AIFunctionFactory.CreateDeclaration("get_weather", "Current weather for a city", JsonDocument.Parse(WeatherSchema).RootElement);
    private static readonly AIFunctionDeclaration s_sum = AIFunctionFactory.CreateDeclaration("add", "Adds two numbers", JsonDocument.Parse(SumSchema).RootElement);

    private static TestLlamaModelSpec SpecFor(string family) => family switch
    {
        "qwen" => TemplateModels.QwenSpec,
        "llama3" => new TestLlamaModelSpec
        {
            ChatTemplate = File.ReadAllText(Path.Combine(LlamaCppSources.TemplatesDir, "meta-llama-Llama-3.1-8B-Instruct.jinja")),
            SpecialTokens = ["<|begin_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>", "<|eom_id|>"],
            UserDefinedTokens = ["<|python_tag|>"],
            EndOfTurnToken = "<|eot_id|>",
        },
        _ => new TestLlamaModelSpec
        {
            ChatTemplate = File.ReadAllText(Path.Combine(LlamaCppSources.TemplatesDir, "mistralai-Mistral-Nemo-Instruct-2407.jinja")),
            SpecialTokens = ["[INST]", "[/INST]", "[AVAILABLE_TOOLS]", "[/AVAILABLE_TOOLS]", "[TOOL_RESULTS]", "[/TOOL_RESULTS]"],
            UserDefinedTokens = ["[TOOL_CALLS]"],
        },
    };

    private static async Task<(LlamaModel Model, LlamaEngine Engine, LlamaChatClient Client)> LoadAsync(string family)
    {
        await TestRuntime.EnsureLoadedAsync();
        LlamaModel model = await LlamaModel.LoadAsync(TestLlamaModels.GetOrCreate(SpecFor(family)));
        var engine = new LlamaEngine(model, new LlamaEngineOptions { ParallelSequences = 8, ContextSize = 2048 });
        return (model, engine, new LlamaChatClient(engine));
    }

    [Theory]
    [MemberData(nameof(Families))]
    public async Task RequiredToolCallsAlwaysParseAndValidate(string family)
    {
        (LlamaModel model, LlamaEngine engine, LlamaChatClient client) = await LoadAsync(family);
        using (model)
        using (engine)
        {
            var schemas = new Dictionary<string, JsonSchema>
            {
                ["get_weather"] = await JsonSchema.FromJsonAsync(WeatherSchema, TestContext.Current.CancellationToken),
                ["add"] = await JsonSchema.FromJsonAsync(SumSchema, TestContext.Current.CancellationToken),
            };
            ChatResponse[] responses = await Task.WhenAll(Enumerable.Range(1, 50).Select(seed => client.GetResponseAsync(
                [new ChatMessage(ChatRole.System, "You are helpful."), new ChatMessage(ChatRole.User, "What is the weather in Paris?")],
                new ChatOptions { Temperature = 1, Seed = seed, MaxOutputTokens = 600, Tools = [s_weather, s_sum], ToolMode = ChatToolMode.RequireAny },
                TestContext.Current.CancellationToken)));

            foreach (ChatResponse response in responses)
            {
                Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
                List<FunctionCallContent> calls = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
                Assert.NotEmpty(calls);
                foreach (FunctionCallContent call in calls)
                {
                    Assert.True(schemas.TryGetValue(call.Name, out JsonSchema? schema), $"unknown tool {call.Name}");
                    string arguments = JsonSerializer.Serialize(call.Arguments);
                    Assert.True(schema.Validate(arguments).Count == 0, $"{family}: {call.Name}({arguments})");
                    Assert.False(string.IsNullOrEmpty(call.CallId));
                }
            }
        }
    }

    [Fact]
    public async Task RequireSpecificCallsThatFunction()
    {
        (LlamaModel model, LlamaEngine engine, LlamaChatClient client) = await LoadAsync("qwen");
        using (model)
        using (engine)
        {
            ChatResponse[] responses = await Task.WhenAll(Enumerable.Range(1, 8).Select(seed => client.GetResponseAsync(
                "Add two numbers.",
                new ChatOptions { Temperature = 1, Seed = seed, MaxOutputTokens = 400, Tools = [s_weather, s_sum], ToolMode = ChatToolMode.RequireSpecific("add") },
                TestContext.Current.CancellationToken)));
            Assert.All(responses.SelectMany(r => r.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>()), c => Assert.Equal("add", c.Name));
        }
    }

    [Fact]
    public async Task StreamingEmitsTheSameCompleteCallsAsNonStreaming()
    {
        (LlamaModel model, LlamaEngine engine, LlamaChatClient client) = await LoadAsync("qwen");
        using (model)
        using (engine)
        {
            var options = new ChatOptions { Temperature = 1, Seed = 5, MaxOutputTokens = 400, Tools = [s_weather], ToolMode = ChatToolMode.RequireAny };
            ChatResponse whole = await client.GetResponseAsync("Weather?", options, TestContext.Current.CancellationToken);
            List<ChatResponseUpdate> updates = await client.GetStreamingResponseAsync("Weather?", options, TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken);
            FunctionCallContent expected = Assert.Single(whole.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
            FunctionCallContent streamed = Assert.Single(updates.SelectMany(u => u.Contents).OfType<FunctionCallContent>());
            Assert.Equal(expected.Name, streamed.Name);
            Assert.Equal(JsonSerializer.Serialize(expected.Arguments), JsonSerializer.Serialize(streamed.Arguments));
            Assert.DoesNotContain("<tool_call>", string.Concat(updates.Select(u => u.Text)), StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Families))]
    public async Task ToolResultGoesBackThroughTheTemplateForASecondTurn(string family)
    {
        (LlamaModel model, LlamaEngine engine, LlamaChatClient client) = await LoadAsync(family);
        using (model)
        using (engine)
        {
            var tools = new ChatOptions { Temperature = 1, Seed = 9, MaxOutputTokens = 400, Tools = [s_weather], ToolMode = ChatToolMode.RequireAny };
            List<ChatMessage> history = [new(ChatRole.User, "Weather in Oslo?")];
            ChatResponse first = await client.GetResponseAsync(history, tools, TestContext.Current.CancellationToken);
            FunctionCallContent call = Assert.Single(first.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Take(1));
            history.AddRange(first.Messages);
            history.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(call.CallId, "{\"temperature\": 21}")]));

            // Same tools offered, so the second prompt is the first plus the call and its result.
            ChatResponse second = await client.GetResponseAsync(history, new ChatOptions { Temperature = 0, MaxOutputTokens = 8, Tools = [s_weather], ToolMode = ChatToolMode.Auto }, TestContext.Current.CancellationToken);
            Assert.True(second.Usage!.InputTokenCount > first.Usage!.InputTokenCount + 5, $"{first.Usage.InputTokenCount} then {second.Usage.InputTokenCount}");
        }
    }

    [Fact]
    public async Task AutoModeLetsTheModelAnswerOrCall()
    {
        (LlamaModel model, LlamaEngine engine, LlamaChatClient client) = await LoadAsync("qwen");
        using (model)
        using (engine)
        {
            ChatResponse[] responses = await Task.WhenAll(Enumerable.Range(1, 8).Select(seed => client.GetResponseAsync(
                "Hello", new ChatOptions { Temperature = 1, Seed = seed, MaxOutputTokens = 64, Tools = [s_weather], ToolMode = ChatToolMode.Auto }, TestContext.Current.CancellationToken)));
            foreach (ChatResponse response in responses)
            {
                bool called = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Any();
                Assert.Equal(called, response.FinishReason == ChatFinishReason.ToolCalls);
            }
        }
    }
}
