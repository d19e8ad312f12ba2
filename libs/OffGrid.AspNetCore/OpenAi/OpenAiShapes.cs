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
    public static object ChatCompletion(string id, long created, string model, ChatResponse response)
    {
        List<FunctionCallContent> calls = [.. response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>()];
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
                        content = text.Length == 0 && calls.Count > 0 ? null : text,
                        tool_calls = calls.Count > 0 ? ToolCalls(calls) : null,
                    },
                    finish_reason = FinishReason(response.FinishReason, calls.Count > 0),
                },
            },
            usage = Usage(response.Usage),
        };
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
            function = new { name = call.Name, arguments = JsonSerializer.Serialize(call.Arguments ?? new Dictionary<string, object?>(), ServerJson.Options) },
        })];

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
