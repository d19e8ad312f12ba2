using System.Text.Json;
using Microsoft.Extensions.AI;
using NJsonSchema;
using OffGrid.Inference.Chat;
using OffGrid.Inference.Engine;
using OffGrid.Inference.Grammar;
using OffGrid.Inference.Models;
using OffGrid.Testing.LlamaCpp;
using OffGrid.Testing.Models;

namespace OffGrid.Inference.Tests.Chat;

/// <summary>
/// Constrained output closes within the token budget: JSON mode and required tool calls on a small ChatML model
/// with random weights, where the model itself never chooses to stop early.
/// </summary>
public sealed class BudgetedOutputTests
{
    private const string ChatMl =
        "{% for message in messages %}<|im_start|>{{ message.role }}\n{{ message.content }}<|im_end|>\n{% endfor %}"
        + "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}";

    private const string WeatherSchema = """
        { "type": "object", "properties": { "city": { "type": "string" }, "unit": { "enum": ["celsius", "fahrenheit"] } }, "required": ["city", "unit"] }
        """;

    private static readonly AIFunctionDeclaration s_weather = AIFunctionFactory.CreateDeclaration("get_weather", "Current weather for a city", JsonDocument.Parse(WeatherSchema).RootElement);

    public static TheoryData<string> Templates => new() { "chatml", "qwen" };

    private static async Task<(LlamaModel Model, LlamaEngine Engine)> LoadAsync(string template)
    {
        await TestRuntime.EnsureLoadedAsync();
        LlamaModel model = await LlamaModel.LoadAsync(TestLlamaModels.GetOrCreate(new TestLlamaModelSpec
        {
            ChatTemplate = template == "chatml" ? ChatMl : await File.ReadAllTextAsync(Path.Combine(LlamaCppSources.TemplatesDir, "Qwen-Qwen2.5-7B-Instruct.jinja")),
            SpecialTokens = ["<|im_start|>", "<|im_end|>"],
            UserDefinedTokens = template == "chatml" ? [] : ["<tool_call>", "</tool_call>"],
            EndOfTurnToken = "<|im_end|>",
        }));
        return (model, new LlamaEngine(model, new LlamaEngineOptions { ParallelSequences = 4, ContextSize = 2048 }));
    }

    [Theory]
    [MemberData(nameof(Templates))]
    public async Task JsonModeWithSixtyTokensAlwaysParses(string template)
    {
        (LlamaModel model, LlamaEngine engine) = await LoadAsync(template);
        using var _ = model;
        using var __ = engine;
        var client = new LlamaChatClient(engine);
        ChatResponse[] responses = await Task.WhenAll(Enumerable.Range(1, 20).Select(seed => client.GetResponseAsync(
            "Describe a cat as JSON.",
            new ChatOptions { Temperature = 1, Seed = seed, MaxOutputTokens = 60, ResponseFormat = ChatResponseFormat.Json },
            TestContext.Current.CancellationToken)));

        int parsed = responses.Count(r => IsJsonObject(r.Text));
        TestContext.Current.SendDiagnosticMessage($"{template}: json_object, max_tokens 60: {parsed}/20 parse");
        Assert.True(parsed == 20, $"{template}: {parsed}/20 parse:\n{string.Join("\n", responses.Select(r => r.Text))}");
        Assert.All(responses, r => Assert.True(r.Usage!.OutputTokenCount <= 60));
    }

    [Theory]
    [MemberData(nameof(Templates))]
    public async Task RequiredToolCallWithEightyTokensAlwaysHasACall(string template)
    {
        (LlamaModel model, LlamaEngine engine) = await LoadAsync(template);
        using var _ = model;
        using var __ = engine;
        JsonSchema schema = await JsonSchema.FromJsonAsync(WeatherSchema, TestContext.Current.CancellationToken);
        var client = new LlamaChatClient(engine);
        ChatResponse[] responses = await Task.WhenAll(Enumerable.Range(1, 20).Select(seed => client.GetResponseAsync(
            "What is the weather in Paris?",
            new ChatOptions { Temperature = 1, Seed = seed, MaxOutputTokens = 80, Tools = [s_weather], ToolMode = ChatToolMode.RequireAny },
            TestContext.Current.CancellationToken)));

        int withCalls = responses.Count(r => r.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Any());
        TestContext.Current.SendDiagnosticMessage($"{template}: tool_choice required, max_tokens 80: {withCalls}/20 with tool calls");
        Assert.True(withCalls == 20, $"{template}: {withCalls}/20 with calls:\n{string.Join("\n", responses.Select(r => r.Text))}");
        foreach (FunctionCallContent call in responses.SelectMany(r => r.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>()))
        {
            Assert.Equal("get_weather", call.Name);
            Assert.Empty(schema.Validate(JsonSerializer.Serialize(call.Arguments)));
        }

        Assert.All(responses, r => Assert.True(r.Usage!.OutputTokenCount <= 80));
    }

    // Whenever the budget allows the smallest valid document at all, the output is a valid document.
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(15)]
    public async Task SchemaOutputIsValidAtEveryBudgetThatAllowsIt(int tokensToSpare)
    {
        const string PersonSchema = """{"type":"object","properties":{"name":{"type":"string"},"tags":{"type":"array","items":{"type":"string"}},"age":{"type":"integer","minimum":0,"maximum":120}},"required":["name","tags","age"]}""";
        JsonSchema schema = await JsonSchema.FromJsonAsync(PersonSchema, TestContext.Current.CancellationToken);
        JsonElement schemaElement = JsonDocument.Parse(PersonSchema).RootElement;
        (LlamaModel model, LlamaEngine engine) = await LoadAsync("chatml");
        using var _ = model;
        using var __ = engine;

        // The smallest document the schema allows, in this model's tokens.
        string smallest = GrammarMatcher.Start(CompiledGrammar.Parse(JsonSchemaGrammarBuilder.ForSchema(schemaElement).Text)).ShortestCompletion()!;
        Assert.Equal("""{"name":"","tags":[],"age":0}""", smallest);
        int maxTokens = model.Tokenize(smallest, addSpecial: false, parseSpecial: true).Length + tokensToSpare;

        var client = new LlamaChatClient(engine);
        ChatResponse[] responses = await Task.WhenAll(Enumerable.Range(1, 6).Select(seed => client.GetResponseAsync(
            "Who?",
            new ChatOptions { Temperature = 1, Seed = seed, MaxOutputTokens = maxTokens, ResponseFormat = ChatResponseFormat.ForJsonSchema(schemaElement) },
            TestContext.Current.CancellationToken)));
        Assert.All(responses, r =>
        {
            Assert.True(schema.Validate(r.Text).Count == 0, $"{maxTokens} tokens: {r.Text}");
            Assert.InRange(r.Usage!.OutputTokenCount!.Value, 1, maxTokens);
        });
    }

    private static bool IsJsonObject(string text)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
