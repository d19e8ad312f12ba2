using System.Text.Json;
using Microsoft.Extensions.AI;
using OffGrid.AspNetCore.Http;

namespace OffGrid.AspNetCore.OpenAi;

/// <summary>Builds the JSON objects of OpenAI's responses (chat completions, completions, usage, errors).</summary>
internal static class OpenAiShapes
{
    /// <summary>OpenAI's error body: <c>{"error":{"message","type","param","code"}}</c>.</summary>
    public static object Error(ApiError error) => new
    {
        error = new { message = error.Message, type = error.Type, param = error.Param, code = error.Code },
    };

    /// <summary>A whole <c>chat.completion</c>.</summary>
    /// <param name="id">The completion's id.</param>
    /// <param name="created">When it was created (Unix seconds).</param>
    /// <param name="model">The model's name.</param>
    /// <param name="response">The pipeline's response.</param>
    /// <param name="serverTools">
    /// Names of the server tools the request offered: their calls ran on the server and are reported in OffGrid's
    /// <c>server_tool_calls</c>, not as <c>tool_calls</c> for the client to run.
    /// </param>
    public static object ChatCompletion(string id, long created, string model, ChatResponse response, IReadOnlySet<string> serverTools)
    {
        IEnumerable<AIContent> contents = response.Messages.SelectMany(m => m.Contents);
        List<FunctionCallContent> calls = [.. contents.OfType<FunctionCallContent>().Where(c => !serverTools.Contains(c.Name))];
        List<ToolApprovalRequestContent> approvals = [.. contents.OfType<ToolApprovalRequestContent>()];
        object[] executed = ServerToolCalls(contents.OfType<FunctionCallContent>().Where(c => serverTools.Contains(c.Name)), contents.OfType<FunctionResultContent>());
        bool pending = calls.Count > 0 || approvals.Count > 0;
        string text = response.Text;
        return new
        {
            id,
            @object = "chat.completion",
            created,
            model,
            system_fingerprint = SystemFingerprint,
            choices = new[]
            {
                new
                {
                    index = 0,
                    message = new
                    {
                        role = "assistant",
                        content = text.Length == 0 && pending ? null : text,
                        tool_calls = pending ? ToolCalls([.. calls, .. approvals.Select(a => (FunctionCallContent)a.ToolCall)]) : null,
                        approval_requests = approvals.Count > 0 ? ApprovalRequests(approvals) : null,
                        server_tool_calls = executed.Length > 0 ? executed : null,
                    },
                    finish_reason = FinishReason(response.FinishReason, pending),
                },
            },
            usage = Usage(response.Usage),
        };
    }

    /// <summary>
    /// OffGrid's <c>approval_requests</c>: server tool calls that wait for a person. The client answers each with a tool
    /// message <c>{"role":"tool","tool_call_id":…,"approved":true|false}</c> after this assistant message.
    /// </summary>
    public static object[] ApprovalRequests(IEnumerable<ToolApprovalRequestContent> approvals) =>
        [.. approvals.Select(a => (FunctionCallContent)a.ToolCall).Select(call => new
        {
            id = ChatCompletionMapper.ApprovalId(call.CallId),
            tool_call_id = call.CallId,
            name = call.Name,
            arguments = Arguments(call),
        })];

    /// <summary>OffGrid's <c>server_tool_calls</c>: calls the server ran, with their results.</summary>
    public static object[] ServerToolCalls(IEnumerable<FunctionCallContent> calls, IEnumerable<FunctionResultContent> results)
    {
        Dictionary<string, FunctionResultContent> byId = results.GroupBy(r => r.CallId).ToDictionary(g => g.Key, g => g.Last());
        return [.. calls.Where(c => byId.ContainsKey(c.CallId)).Select(call => new
        {
            id = call.CallId,
            name = call.Name,
            arguments = Arguments(call),
            result = byId[call.CallId].Result?.ToString() ?? string.Empty,
        })];
    }

    /// <summary>One <c>chat.completion.chunk</c>; <paramref name="delta"/> is an object or <see langword="null"/> for a usage-only chunk.</summary>
    public static object ChatChunk(string id, long created, string model, object? delta, string? finishReason, UsageDetails? usage = null) => new
    {
        id,
        @object = "chat.completion.chunk",
        created,
        model,
        system_fingerprint = SystemFingerprint,
        choices = delta is null ? [] : new object[] { new { index = 0, delta, finish_reason = finishReason } },
        usage = usage is null ? null : Usage(usage),
    };

    /// <summary>A <c>text_completion</c> (whole or a streamed chunk).</summary>
    public static object TextCompletion(string id, long created, string model, string text, string? finishReason, UsageDetails? usage) => new
    {
        id,
        @object = "text_completion",
        created,
        model,
        system_fingerprint = SystemFingerprint,
        choices = new[] { new { index = 0, text, logprobs = (object?)null, finish_reason = finishReason } },
        usage = usage is null ? null : Usage(usage),
    };

    /// <summary>The tool calls of an assistant message (arguments as a JSON string, as OpenAI sends them).</summary>
    public static object[] ToolCalls(IEnumerable<FunctionCallContent> calls) =>
        [.. calls.Select((call, index) => new
        {
            index,
            id = call.CallId,
            type = "function",
            function = new { name = call.Name, arguments = Arguments(call) },
        })];

    private static string Arguments(FunctionCallContent call) => JsonSerializer.Serialize(call.Arguments ?? new Dictionary<string, object?>(), ServerJson.Options);

    /// <summary>OpenAI's <c>finish_reason</c>.</summary>
    public static string FinishReason(ChatFinishReason? reason, bool calledTools) =>
        calledTools ? "tool_calls" : reason?.Value ?? ChatFinishReason.Stop.Value;

    /// <summary>OpenAI's <c>usage</c> object.</summary>
    public static object Usage(UsageDetails? usage) => new
    {
        prompt_tokens = usage?.InputTokenCount ?? 0,
        completion_tokens = usage?.OutputTokenCount ?? 0,
        total_tokens = usage?.TotalTokenCount ?? (usage?.InputTokenCount ?? 0) + (usage?.OutputTokenCount ?? 0),
        prompt_tokens_details = new { cached_tokens = usage?.CachedInputTokenCount ?? 0 },
    };

    /// <summary>A new response id with OpenAI's prefix.</summary>
    public static string NewId(string prefix) => prefix + Guid.NewGuid().ToString("N")[..24];

    private const string SystemFingerprint = "offgrid";
}
