using Microsoft.Extensions.AI;
using OffGrid.AspNetCore.Chat;
using OffGrid.AspNetCore.Http;
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
        if (!request.Stream)
        {
            ChatResponse response = await session.ChatClient.GetResponseAsync(messages, options, cancellationToken);
            return Results.Json(OpenAiShapes.ChatCompletion(id, created, model, response), ServerJson.Options);
        }

        await using ChatUpdateStream stream = await ChatUpdateStream.StartAsync(session.ChatClient, messages, options, cancellationToken);
        return await OpenAiEventStream.WriteAsync(http.Response, async writer =>
        {
            await writer.WriteAsync(OpenAiShapes.ChatChunk(id, created, model, new { role = "assistant", content = string.Empty }, null), cancellationToken);
            UsageDetails? usage = null;
            ChatFinishReason? finish = null;
            bool calledTools = false;
            await foreach (ChatResponseUpdate update in stream.ReadAllAsync())
            {
                finish = update.FinishReason ?? finish;
                usage = update.Contents.OfType<UsageContent>().LastOrDefault()?.Details ?? usage;
                if (update.Text is { Length: > 0 } text)
                {
                    await writer.WriteAsync(OpenAiShapes.ChatChunk(id, created, model, new { content = text }, null), cancellationToken);
                }

                if (update.Contents.OfType<FunctionCallContent>().ToList() is { Count: > 0 } calls)
                {
                    calledTools = true;
                    await writer.WriteAsync(OpenAiShapes.ChatChunk(id, created, model, new { tool_calls = OpenAiShapes.ToolCalls(calls) }, null), cancellationToken);
                }
            }
            await writer.WriteAsync(OpenAiShapes.ChatChunk(id, created, model, new { }, OpenAiShapes.FinishReason(finish, calledTools)), cancellationToken);
            if (request.StreamOptions?.IncludeUsage == true)
            {
                await writer.WriteAsync(OpenAiShapes.ChatChunk(id, created, model, delta: null, null, usage ?? new UsageDetails()), cancellationToken);
            }
        }, cancellationToken);
    }
}
