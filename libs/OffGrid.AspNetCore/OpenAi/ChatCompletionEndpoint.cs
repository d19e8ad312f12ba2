using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using OffGrid.Agents;
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
        IReadOnlyList<AITool> serverTools = await ServerToolsAsync(request, http.RequestServices, cancellationToken);
        (List<ChatMessage> messages, ChatOptions options) = ChatCompletionMapper.ToConversation(request, serverTools);
        using ModelSession session = await models.OpenAsync(request.Model, keepAlive: null, request.ContextSize(), options, cancellationToken);
        if (serverTools.Count > 0 && session.ChatClient.GetService<FunctionInvokingChatClient>() is null)
        {
            throw ApiException.BadRequest("This server does not run tools: its chat pipeline has no function invocation (AddTools).", "server_tools");
        }

        HashSet<string> serverToolNames = [.. serverTools.Select(t => t.Name)];
        string id = OpenAiShapes.NewId("chatcmpl-");
        long created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        string model = session.Model.Name;
        KnowledgeChat.EnsureAvailable(session.ChatClient, options, "knowledge");
        if (!request.Stream)
        {
            ChatResponse response = await session.ChatClient.GetResponseAsync(messages, options, cancellationToken);
            return Results.Json(OpenAiShapes.ChatCompletion(id, created, model, response, serverToolNames), ServerJson.Options);
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
            var serverCalls = new List<FunctionCallContent>();
            await foreach (ChatResponseUpdate update in stream.ReadAllAsync())
            {
                finish = update.FinishReason ?? finish;
                usage = update.Contents.OfType<UsageContent>().LastOrDefault()?.Details ?? usage;
                if (update.Text is { Length: > 0 } text)
                {
                    await writer.WriteAsync(Chunk(new JsonObject { ["content"] = text }), cancellationToken);
                }

                serverCalls.AddRange(update.Contents.OfType<FunctionCallContent>().Where(c => serverToolNames.Contains(c.Name)));
                if (update.Contents.OfType<FunctionCallContent>().Where(c => !serverToolNames.Contains(c.Name)).ToList() is { Count: > 0 } calls)
                {
                    await writer.WriteAsync(Chunk(new JsonObject { ["tool_calls"] = OpenAiShapes.ToolCalls(calls, firstIndex: callsSent) }), cancellationToken);
                    callsSent += calls.Count;
                }

                if (OpenAiShapes.ServerToolCalls(serverCalls, update.Contents.OfType<FunctionResultContent>()) is { Count: > 0 } executed)
                {
                    await writer.WriteAsync(Chunk(new JsonObject { ["server_tool_calls"] = executed }), cancellationToken);
                }

                if (update.Contents.OfType<ToolApprovalRequestContent>().ToList() is { Count: > 0 } approvals)
                {
                    var delta = new JsonObject
                    {
                        ["tool_calls"] = OpenAiShapes.ToolCalls(approvals.Select(a => (FunctionCallContent)a.ToolCall), firstIndex: callsSent),
                        ["approval_requests"] = OpenAiShapes.ApprovalRequests(approvals),
                    };
                    await writer.WriteAsync(Chunk(delta), cancellationToken);
                    callsSent += approvals.Count;
                }
            }

            await writer.WriteAsync(Chunk([], OpenAiShapes.FinishReason(finish, callsSent > 0)), cancellationToken);
            if (usageRequested)
            {
                await writer.WriteAsync(OpenAiShapes.UsageChunk(id, "chat.completion.chunk", created, model, usage), cancellationToken);
            }
        }, cancellationToken);
    }

    /// <summary>The tools of the sets <c>server_tools</c> names, from the server's <see cref="Toolbox"/>.</summary>
    private static async Task<IReadOnlyList<AITool>> ServerToolsAsync(ChatCompletionRequest request, IServiceProvider services, CancellationToken cancellationToken)
    {
        if (request.ServerTools is not { Count: > 0 } names)
        {
            return [];
        }

        Toolbox toolbox = services.GetService<Toolbox>()
            ?? throw ApiException.BadRequest("This server offers no tools ('server_tools' needs a server started with tools).", "server_tools");
        if (names.Any(string.IsNullOrWhiteSpace))
        {
            throw ApiException.BadRequest("'server_tools' must list tool names, as GET /v1/tools gives them.", "server_tools");
        }

        return await toolbox.GetToolsAsync(names, cancellationToken);
    }
}
