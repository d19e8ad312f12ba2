using System.Text.Json;
using Microsoft.Extensions.AI;
using OffGrid.AspNetCore.Chat;
using OffGrid.AspNetCore.Http;
using OffGrid.AspNetCore.Models;
using OffGrid.Inference.Chat;

namespace OffGrid.AspNetCore.OpenAi;

/// <summary><c>POST /v1/completions</c>: continues a raw prompt (no chat template).</summary>
internal static class CompletionEndpoint
{
    public static async Task<IResult> HandleAsync(HttpContext http, ModelAccess models)
    {
        CancellationToken cancellationToken = http.RequestAborted;
        CompletionRequest request = await JsonBody.ReadAsync<CompletionRequest>(http.Request, cancellationToken);
        string prompt = ReadPrompt(request.Prompt);
        if (request.Suffix is { Length: > 0 } || request.Logprobs is not null)
        {
            throw ApiException.BadRequest("'suffix' and 'logprobs' are not supported.", request.Suffix is { Length: > 0 } ? "suffix" : "logprobs");
        }

        if (request.BestOf is not (null or 1))
        {
            throw ApiException.BadRequest("Only one candidate per request is supported ('best_of' must be 1).", "best_of");
        }

        if (request.LogitBias is { ValueKind: JsonValueKind.Object } bias && bias.EnumerateObject().Any())
        {
            throw ApiException.BadRequest("'logit_bias' is not supported: OpenAI token ids mean nothing to a local model's tokenizer.", "logit_bias");
        }

        // 16 is OpenAI's documented default for this endpoint.
        ChatOptions options = request.ToSampling(request.MaxTokens ?? 16).ToChatOptions(SamplingFieldNames.OpenAi);
        (options.AdditionalProperties ??= [])[LlamaChatOptions.RawPromptKey] = true;

        using ModelSession session = await models.OpenAsync(request.Model, keepAlive: null, request.ContextSize(), options, cancellationToken);
        string id = OpenAiShapes.NewId("cmpl-");
        long created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        string model = session.Model.Name;
        string echo = request.Echo ? prompt : string.Empty;
        ChatMessage[] messages = [new(ChatRole.User, prompt)];
        if (!request.Stream)
        {
            ChatResponse response = await session.ChatClient.GetResponseAsync(messages, options, cancellationToken);
            return Results.Json(OpenAiShapes.TextCompletion(id, created, model, echo + response.Text, OpenAiShapes.FinishReason(response.FinishReason, false), response.Usage ?? new()), ServerJson.Options);
        }

        await using ChatUpdateStream stream = await ChatUpdateStream.StartAsync(session.ChatClient, messages, options, cancellationToken);
        bool usageRequested = request.StreamOptions?.IncludeUsage == true;
        return await OpenAiEventStream.WriteAsync(http.Response, async writer =>
        {
            if (echo.Length > 0)
            {
                await writer.WriteAsync(OpenAiShapes.TextCompletion(id, created, model, echo, null, null, usageRequested), cancellationToken);
            }

            UsageDetails? usage = null;
            await foreach (ChatResponseUpdate update in stream.ReadAllAsync())
            {
                usage = update.Contents.OfType<UsageContent>().LastOrDefault()?.Details ?? usage;
                string? finish = update.FinishReason is { } reason ? OpenAiShapes.FinishReason(reason, false) : null;
                if (update.Text.Length > 0 || finish is not null)
                {
                    await writer.WriteAsync(OpenAiShapes.TextCompletion(id, created, model, update.Text, finish, null, usageRequested), cancellationToken);
                }
            }

            if (usageRequested)
            {
                await writer.WriteAsync(OpenAiShapes.UsageChunk(id, "text_completion", created, model, usage), cancellationToken);
            }
        }, cancellationToken);
    }

    private static string ReadPrompt(JsonElement? prompt) => prompt switch
    {
        { ValueKind: JsonValueKind.String } text when text.GetString() is { Length: > 0 } s => s,
        { ValueKind: JsonValueKind.Array } list when list.GetArrayLength() == 1 && list[0].ValueKind == JsonValueKind.String && list[0].GetString() is { Length: > 0 } s => s,
        { ValueKind: JsonValueKind.Array } list when list.GetArrayLength() > 1 => throw ApiException.BadRequest("Only one prompt per request is supported.", "prompt"),
        _ => throw ApiException.BadRequest("'prompt' must be a non-empty string.", "prompt"),
    };
}
