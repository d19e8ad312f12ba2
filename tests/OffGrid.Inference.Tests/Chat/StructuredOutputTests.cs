using System.Text.Json;
using Microsoft.Extensions.AI;
using NJsonSchema;
using OffGrid.Inference.Chat;
using OffGrid.Inference.Engine;
using OffGrid.Inference.Models;
using OffGrid.Testing.Models;

namespace OffGrid.Inference.Tests.Chat;

/// <summary>Schema-valid JSON is guaranteed by grammar-constrained sampling, even from a random-weight model.</summary>
public sealed class StructuredOutputTests : IAsyncLifetime
{
    private const string PersonSchema = """
        {
          "type": "object",
          "properties": {
            "name": { "type": "string", "maxLength": 12 },
            "age": { "type": "integer", "minimum": 0, "maximum": 120 },
            "role": { "enum": ["admin", "user", "guest"] },
            "tags": { "type": "array", "items": { "type": "string", "maxLength": 6 }, "maxItems": 3 },
            "active": { "type": "boolean" },
            "manager": { "anyOf": [ { "type": "null" }, { "$ref": "#/$defs/ref" } ] }
          },
          "required": ["name", "age", "role"],
          "additionalProperties": false,
          "$defs": { "ref": { "type": "object", "properties": { "id": { "type": "string", "format": "uuid" } }, "required": ["id"], "additionalProperties": false } }
        }
        """;

    private LlamaModel _model = null!;
    private LlamaEngine _engine = null!;

    public async ValueTask InitializeAsync()
    {
        await TestRuntime.EnsureLoadedAsync();
        _model = await LlamaModel.LoadAsync(TestLlamaModels.Tiny);
        _engine = new LlamaEngine(_model, new LlamaEngineOptions { ParallelSequences = 8, ContextSize = 1024 });
    }

    public ValueTask DisposeAsync()
    {
        _engine.Dispose();
        _model.Dispose();
        return ValueTask.CompletedTask;
    }

    public static TheoryData<string> Schemas => new()
    {
        PersonSchema,
        """{ "type": "array", "items": { "type": "integer", "minimum": -5, "maximum": 5 }, "minItems": 1, "maxItems": 4 }""",
        """{ "type": "object", "properties": { "value": { "type": "integer" } }, "required": ["value"] }""",
        """{ "type": "object", "properties": { "color": { "enum": ["red", "green", "blue"] } }, "required": ["color"] }""",
        """{ "type": "object", "properties": { "ok": { "type": "boolean" }, "day": { "type": "string", "format": "date" } }, "required": ["ok", "day"] }""",
    };

    [Theory]
    [MemberData(nameof(Schemas))]
    public async Task EverySeedProducesSchemaValidJson(string schemaText)
    {
        JsonSchema schema = await JsonSchema.FromJsonAsync(schemaText, TestContext.Current.CancellationToken);
        var client = new LlamaChatClient(_engine);
        JsonElement schemaElement = JsonDocument.Parse(schemaText).RootElement;
        string[] outputs = await Task.WhenAll(Enumerable.Range(1, 50).Select(async seed =>
        {
            var options = new ChatOptions
            {
                Temperature = 1.0f,
                Seed = seed,
                MaxOutputTokens = 900,
                ResponseFormat = ChatResponseFormat.ForJsonSchema(schemaElement, "test"),
            };
            ChatResponse response = await client.GetResponseAsync("Describe something.", options, TestContext.Current.CancellationToken);
            Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
            return response.Text;
        }));

        foreach (string output in outputs)
        {
            var errors = schema.Validate(output);
            Assert.True(errors.Count == 0, $"{output}\n{string.Join("\n", errors)}");
        }

        // Output is compact JSON, so the enum-only schema has exactly three documents; the others have many.
        Assert.True(outputs.Distinct().Count() >= 3, "different seeds should give different documents");
    }

    [Fact]
    public async Task JsonModeProducesAnObject()
    {
        var client = new LlamaChatClient(_engine);
        ChatResponse response = await client.GetResponseAsync(
            "Give me JSON.", new ChatOptions { Temperature = 0.7f, Seed = 3, MaxOutputTokens = 900, ResponseFormat = ChatResponseFormat.Json }, TestContext.Current.CancellationToken);
        using JsonDocument document = JsonDocument.Parse(response.Text);
        Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
    }

    [Fact]
    public async Task TypedHelperDeserializesTheResult()
    {
        var client = new LlamaChatClient(_engine);
        ChatResponse<Reading> result = await client.GetResponseAsync<Reading>(
            "Read the sensor.", new ChatOptions { Temperature = 0.8f, Seed = 11, MaxOutputTokens = 900 }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.NotNull(result.Result);
        Assert.NotNull(result.Result.Sensor);
        Assert.Contains(result.Result.Level, Enum.GetValues<Level>());
    }

    [Fact]
    public async Task StreamingAndNonStreamingAgreeUnderAGrammar()
    {
        var client = new LlamaChatClient(_engine);
        var options = new ChatOptions { Temperature = 0.9f, Seed = 77, MaxOutputTokens = 900, ResponseFormat = ChatResponseFormat.ForJsonSchema(JsonDocument.Parse(PersonSchema).RootElement) };
        string whole = (await client.GetResponseAsync("Who?", options, TestContext.Current.CancellationToken)).Text;
        string streamed = string.Concat(await client.GetStreamingResponseAsync("Who?", options, TestContext.Current.CancellationToken).Select(u => u.Text).ToListAsync(TestContext.Current.CancellationToken));
        Assert.Equal(whole, streamed);
    }

    public sealed record Reading(string Sensor, int Value, Level Level);

    public enum Level
    {
        Low,
        High,
    }
}
