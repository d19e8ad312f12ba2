using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using OffGrid.AspNetCore.Chat;
using OffGrid.AspNetCore.Http;
using OffGrid.AspNetCore.Knowledge;
using OffGrid.AspNetCore.Models;

namespace OffGrid.AspNetCore.OpenAi;

/// <summary><c>POST /v1/chat/completions</c>: a whole completion, or server-sent events when <c>stream</c> is set.</summary>
internal static class ChatCompletionEndpoint
{
    public static async Task<IResult> HandleAsync(HttpContext http, ModelAccess models)
    {
        CancellationToken cancellationToken = http.RequestAborted;
        ChatCompletionRequest request = await JsonBody.ReadAsync<ChatCompletionRequest>(http.Request, cancellationToken);
        (List<ChatMessage> messages, ChatOptions options) = ChatCompletionMapper.ToConversation(request);
        using ModelSession session = await models.OpenAsync(request.Model, keepAlive: null, request.ContextSize(), options, cancellationToken);
        string id = OpenAiShapes.NewId("chatcmpl-");
        long created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        string model = session.Model.Name;
        KnowledgeChat.EnsureAvailable(session.ChatClient, options, "knowledge");
        if (!request.Stream)
        {
            ChatResponse response = await session.ChatClient.GetResponseAsync(messages, options, cancellationToken);
            return Results.Json(OpenAiShapes.ChatCompletion(id, created, model, response), ServerJson.Options);
        }

        await using ChatUpdateStream stream = await ChatUpdateStream.StartAsync(session.ChatClient, messages, options, cancellationToken);
        bool usageRequested = request.StreamOptions?.IncludeUsage == true;
        return await OpenAiEventStream.WriteAsync(http.Response, async writer =>
        {
            JsonObject Chunk(JsonObject delta, string? finishReason = null) => OpenAiShapes.ChatChunk(id, created, model, delta, finishReason, usageRequested);

            // The sources an answer cites come with its first chunk, before any [n] in the text.
            JsonObject first = Chunk(new JsonObject { ["role"] = "assistant", ["content"] = string.Empty, ["refusal"] = null });
            await writer.WriteAsync(OpenAiShapes.WithSources(first, stream.First?.AdditionalProperties), cancellationToken);
            UsageDetails? usage = null;
            ChatFinishReason? finish = null;
            int callsSent = 0;
            await foreach (ChatResponseUpdate update in stream.ReadAllAsync())
            {
                finish = update.FinishReason ?? finish;
                usage = update.Contents.OfType<UsageContent>().LastOrDefault()?.Details ?? usage;
                if (update.Text is { Length: > 0 } text)
                {
                    await writer.WriteAsync(Chunk(new JsonObject { ["content"] = text }), cancellationToken);
                }

                if (update.Contents.OfType<FunctionCallContent>().ToList() is { Count: > 0 } calls)
                {
                    await writer.WriteAsync(Chunk(new JsonObject { ["tool_calls"] = OpenAiShapes.ToolCalls(calls, firstIndex: callsSent) }), cancellationToken);
                    callsSent += calls.Count;
                }
            }

            await writer.WriteAsync(Chunk([], OpenAiShapes.FinishReason(finish, callsSent > 0)), cancellationToken);
            if (usageRequested)
            {
                await writer.WriteAsync(OpenAiShapes.UsageChunk(id, "chat.completion.chunk", created, model, usage), cancellationToken);
            }
        }, cancellationToken);
    }
}
