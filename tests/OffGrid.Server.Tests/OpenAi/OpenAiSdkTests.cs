using System.ClientModel;
using System.Numerics.Tensors;
using System.Text.Json;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Embeddings;
using OpenAI.Models;

namespace OffGrid.Server.Tests.OpenAi;

/// <summary>The official OpenAI .NET SDK against the server.</summary>
public sealed class OpenAiSdkTests : IClassFixture<ServerFixture>
{
    private readonly ServerFixture _server;
    private readonly OpenAIClient _client;

    public OpenAiSdkTests(ServerFixture server)
    {
        _server = server;
        _client = new OpenAIClient(new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(server.BaseUri, "v1") });
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GreedyChatContinuesTheStory()
    {
        ChatCompletion completion = await _client.GetChatClient("stories").CompleteChatAsync(
            [new UserChatMessage("Once upon a time")], new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 16 }, Token);

        Assert.Contains("little girl named Lily", completion.Content[0].Text);
        Assert.Equal("stories", completion.Model);
        Assert.True(completion.Usage.InputTokenCount > 0);
        Assert.InRange(completion.Usage.OutputTokenCount, 1, 16);
        Assert.Equal(completion.Usage.InputTokenCount + completion.Usage.OutputTokenCount, completion.Usage.TotalTokenCount);
    }

    [Fact]
    public async Task StreamingMatchesTheWholeResponseAndEndsWithUsage()
    {
        var options = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 12 };
        ChatClient chat = _client.GetChatClient("stories");
        ChatCompletion whole = await chat.CompleteChatAsync([new UserChatMessage("Once upon a time")], options, Token);

        var text = new System.Text.StringBuilder();
        ChatTokenUsage? usage = null;
        ChatFinishReason? finish = null;
        int updates = 0;
        await foreach (StreamingChatCompletionUpdate update in chat.CompleteChatStreamingAsync([new UserChatMessage("Once upon a time")], options, Token))
        {
            updates++;
            foreach (ChatMessageContentPart part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }

            usage = update.Usage ?? usage;
            finish = update.FinishReason ?? finish;
        }

        Assert.True(updates > 3, "tokens should arrive as separate events");
        Assert.Equal(whole.Content[0].Text, text.ToString());
        Assert.NotNull(usage);
        Assert.Equal(whole.Usage.OutputTokenCount, usage.OutputTokenCount);
        Assert.Equal(ChatFinishReason.Length, finish);
    }

    [Fact]
    public async Task StopSequenceEndsTheAnswer()
    {
        var options = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 32, StopSequences = { "girl" } };
        ChatCompletion completion = await _client.GetChatClient("stories").CompleteChatAsync([new UserChatMessage("Once upon a time")], options, Token);

        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.DoesNotContain("girl", completion.Content[0].Text);
        Assert.Contains("little", completion.Content[0].Text);
    }

    [Fact]
    public async Task TheSameSeedGivesTheSameSample()
    {
#pragma warning disable OPENAI001 // Seed is marked experimental in the SDK.
        var options = new ChatCompletionOptions { Temperature = 1.0f, MaxOutputTokenCount = 24, Seed = 1234 };
#pragma warning restore OPENAI001
        ChatClient chat = _client.GetChatClient("stories");
        ChatCompletion first = await chat.CompleteChatAsync([new UserChatMessage("The dog")], options, Token);
        ChatCompletion second = await chat.CompleteChatAsync([new UserChatMessage("The dog")], options, Token);

        Assert.Equal(first.Content[0].Text, second.Content[0].Text);
    }

    [Fact]
    public async Task MaxTokensEndsWithLength()
    {
        ChatCompletion completion = await _client.GetChatClient("tiny").CompleteChatAsync(
            [new SystemChatMessage("You are terse."), new UserChatMessage("Say something.")], new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 5 }, Token);

        Assert.Equal(ChatFinishReason.Length, completion.FinishReason);
        Assert.Equal(5, completion.Usage.OutputTokenCount);
    }

    [Fact]
    public async Task EmbeddingsHaveTheModelDimensionAndUnitLength()
    {
        // The SDK asks for base64 by default, so this also checks the base64 encoding.
        OpenAIEmbeddingCollection embeddings = await _client.GetEmbeddingClient("stories").GenerateEmbeddingsAsync(["a cat", "a dog"], cancellationToken: Token);

        Assert.Equal(2, embeddings.Count);
        Assert.All(embeddings, e =>
        {
            ReadOnlyMemory<float> vector = e.ToFloats();
            Assert.Equal(64, vector.Length);
            Assert.Equal(1.0, TensorPrimitives.Norm(vector.Span), 3);
        });
        Assert.Equal([0, 1], embeddings.Select(e => e.Index));
    }

    [Fact]
    public async Task ModelsAreListedAndUnknownOnesAre404()
    {
        OpenAIModelCollection models = await _client.GetOpenAIModelClient().GetModelsAsync(Token);
        Assert.Contains(models, m => m.Id == "stories");
        Assert.Contains(models, m => m.Id == "tiny");

        OpenAIModel model = await _client.GetOpenAIModelClient().GetModelAsync("stories", Token);
        Assert.Equal("offgrid", model.OwnedBy);

        ClientResultException missing = await Assert.ThrowsAsync<ClientResultException>(() => _client.GetOpenAIModelClient().GetModelAsync("no-such-model", Token));
        Assert.Equal(404, missing.Status);
    }

    [Fact]
    public async Task UnknownModelInAChatIs404()
    {
        ClientResultException error = await Assert.ThrowsAsync<ClientResultException>(() =>
            _client.GetChatClient("no-such-model").CompleteChatAsync([new UserChatMessage("hi")], cancellationToken: Token));
        Assert.Equal(404, error.Status);
        Assert.Contains("no-such-model", error.Message);
    }

    [Fact]
    public async Task ARequiredToolIsCalledWithArgumentsMatchingItsSchema()
    {
        ChatCompletion completion = await _client.GetChatClient("stories").CompleteChatAsync([new UserChatMessage("What is the weather in Paris?")], WeatherToolOptions(), Token);

        Assert.Equal(ChatFinishReason.ToolCalls, completion.FinishReason);
        ChatToolCall call = Assert.Single(completion.ToolCalls);
        Assert.Equal("get_weather", call.FunctionName);
        Assert.False(string.IsNullOrEmpty(call.Id));
        using JsonDocument arguments = JsonDocument.Parse(call.FunctionArguments);
        Assert.Contains(arguments.RootElement.GetProperty("city").GetString(), new[] { "Paris", "Oslo" });
    }

    [Fact]
    public async Task StreamedToolCallsArriveAsToolCallUpdates()
    {
        var name = new System.Text.StringBuilder();
        var arguments = new System.Text.StringBuilder();
        ChatFinishReason? finish = null;
        await foreach (StreamingChatCompletionUpdate update in _client.GetChatClient("stories").CompleteChatStreamingAsync([new UserChatMessage("Weather in Oslo?")], WeatherToolOptions(), Token))
        {
            foreach (StreamingChatToolCallUpdate call in update.ToolCallUpdates)
            {
                name.Append(call.FunctionName);
                arguments.Append(call.FunctionArgumentsUpdate?.ToString());
            }

            finish = update.FinishReason ?? finish;
        }

        Assert.Equal(ChatFinishReason.ToolCalls, finish);
        Assert.Equal("get_weather", name.ToString());
        using JsonDocument parsed = JsonDocument.Parse(arguments.ToString());
        Assert.Equal(JsonValueKind.String, parsed.RootElement.GetProperty("city").ValueKind);
    }

    [Fact]
    public async Task JsonSchemaResponseFormatGivesConformingJson()
    {
        var options = new ChatCompletionOptions
        {
            Temperature = 0,
            MaxOutputTokenCount = 64,
            ResponseFormat = ChatResponseFormat.CreateJsonSchemaFormat("answer", BinaryData.FromString(
                """{"type":"object","properties":{"ok":{"type":"boolean"}},"required":["ok"],"additionalProperties":false}"""), jsonSchemaIsStrict: true),
        };
        ChatCompletion completion = await _client.GetChatClient("stories").CompleteChatAsync([new UserChatMessage("Once upon a time")], options, Token);

        using JsonDocument json = JsonDocument.Parse(completion.Content[0].Text);
        Assert.True(json.RootElement.GetProperty("ok").ValueKind is JsonValueKind.True or JsonValueKind.False);
        Assert.Single(json.RootElement.EnumerateObject());
    }

    [Fact]
    public async Task AToolResultContinuesTheConversation()
    {
        ChatMessage[] conversation =
        [
            new UserChatMessage("What is the weather in Paris?"),
            new AssistantChatMessage([ChatToolCall.CreateFunctionToolCall("call_1", "get_weather", BinaryData.FromString("""{"city":"Paris"}"""))]),
            new ToolChatMessage("call_1", "Sunny, 21 degrees"),
        ];
        ChatCompletionOptions options = WeatherToolOptions();
        options.ToolChoice = ChatToolChoice.CreateNoneChoice();

        ChatCompletion completion = await _client.GetChatClient("stories").CompleteChatAsync(conversation, options, Token);

        Assert.Empty(completion.ToolCalls);
        Assert.True(completion.Usage.InputTokenCount > 10);
    }

    private static ChatCompletionOptions WeatherToolOptions() => new()
    {
        Temperature = 0,
        MaxOutputTokenCount = 160,
        AllowParallelToolCalls = false,
        Tools =
        {
            ChatTool.CreateFunctionTool("get_weather", "Gets the weather for a city", BinaryData.FromString(
                """{"type":"object","properties":{"city":{"type":"string","enum":["Paris","Oslo"]}},"required":["city"],"additionalProperties":false}""")),
        },
        ToolChoice = ChatToolChoice.CreateFunctionChoice("get_weather"),
    };
}
