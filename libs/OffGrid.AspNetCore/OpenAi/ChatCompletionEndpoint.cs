using Microsoft.Extensions.AI;
using OffGrid.Agents;
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
        if (!request.Stream)
        {
            ChatResponse response = await session.ChatClient.GetResponseAsync(messages, options, cancellationToken);
            return Results.Json(OpenAiShapes.ChatCompletion(id, created, model, response, serverToolNames), ServerJson.Options);
        }

        await using ChatUpdateStream stream = await ChatUpdateStream.StartAsync(session.ChatClient, messages, options, cancellationToken);
        return await OpenAiEventStream.WriteAsync(http.Response, async writer =>
        {
            await writer.WriteAsync(OpenAiShapes.ChatChunk(id, created, model, new { role = "assistant", content = string.Empty }, null), cancellationToken);
            UsageDetails? usage = null;
            ChatFinishReason? finish = null;
            bool calledTools = false;
            var serverCalls = new List<FunctionCallContent>();
            await foreach (ChatResponseUpdate update in stream.ReadAllAsync())
            {
                finish = update.FinishReason ?? finish;
                usage = update.Contents.OfType<UsageContent>().LastOrDefault()?.Details ?? usage;
                if (update.Text is { Length: > 0 } text)
                {
                    await writer.WriteAsync(OpenAiShapes.ChatChunk(id, created, model, new { content = text }, null), cancellationToken);
                }

                serverCalls.AddRange(update.Contents.OfType<FunctionCallContent>().Where(c => serverToolNames.Contains(c.Name)));
                if (update.Contents.OfType<FunctionCallContent>().Where(c => !serverToolNames.Contains(c.Name)).ToList() is { Count: > 0 } calls)
                {
                    calledTools = true;
                    await writer.WriteAsync(OpenAiShapes.ChatChunk(id, created, model, new { tool_calls = OpenAiShapes.ToolCalls(calls) }, null), cancellationToken);
                }

                if (OpenAiShapes.ServerToolCalls(serverCalls, update.Contents.OfType<FunctionResultContent>()) is { Length: > 0 } executed)
                {
                    await writer.WriteAsync(OpenAiShapes.ChatChunk(id, created, model, new { server_tool_calls = executed }, null), cancellationToken);
                }

                if (update.Contents.OfType<ToolApprovalRequestContent>().ToList() is { Count: > 0 } approvals)
                {
                    calledTools = true;
                    object delta = new
                    {
                        tool_calls = OpenAiShapes.ToolCalls(approvals.Select(a => (FunctionCallContent)a.ToolCall)),
                        approval_requests = OpenAiShapes.ApprovalRequests(approvals),
                    };
                    await writer.WriteAsync(OpenAiShapes.ChatChunk(id, created, model, delta, null), cancellationToken);
                }
            }

            await writer.WriteAsync(OpenAiShapes.ChatChunk(id, created, model, new { }, OpenAiShapes.FinishReason(finish, calledTools)), cancellationToken);
            if (request.StreamOptions?.IncludeUsage == true)
            {
                await writer.WriteAsync(OpenAiShapes.ChatChunk(id, created, model, delta: null, null, usage ?? new UsageDetails()), cancellationToken);
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
