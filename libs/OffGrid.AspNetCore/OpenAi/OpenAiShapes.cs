using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using OffGrid.AspNetCore.Http;

namespace OffGrid.AspNetCore.OpenAi;

/// <summary>
/// Builds the JSON objects of OpenAI's responses (chat completions and their chunks, completions, usage, errors) field
/// for field as the OpenAI API reference shows them: fields OpenAI sends as <c>null</c> are sent as <c>null</c>
/// (<c>finish_reason</c> in chunks, <c>logprobs</c>, <c>content</c> of a tool-calling message, <c>refusal</c>, an error's
/// <c>param</c> and <c>code</c>, <c>usage</c> in chunks when usage was asked for), and fields it leaves out are left out.
/// </summary>
internal static class OpenAiShapes
{
    private const string SystemFingerprint = "offgrid";

    /// <summary>OpenAI's error body: <c>{"error":{"message","type","param","code"}}</c>.</summary>
    public static JsonObject Error(ApiError error) => new()
    {
        ["error"] = new JsonObject
        {
            ["message"] = error.Message,
            ["type"] = error.Type,
            ["param"] = error.Param,
            ["code"] = error.Code,
        },
    };

    /// <summary>A whole <c>chat.completion</c>; tool calls carry no <c>index</c> (OpenAI sends it only in stream deltas).</summary>
    /// <param name="id">The completion's id.</param>
    /// <param name="created">When it was created (Unix seconds).</param>
    /// <param name="model">The model's name.</param>
    /// <param name="response">The pipeline's response.</param>
    /// <param name="serverTools">
    /// Names of the server tools the request offered: their calls ran on the server and are reported in OffGrid's
    /// <c>server_tool_calls</c>, not as <c>tool_calls</c> for the client to run.
    /// </param>
    public static JsonObject ChatCompletion(string id, long created, string model, ChatResponse response, IReadOnlySet<string> serverTools)
    {
        IEnumerable<AIContent> contents = response.Messages.SelectMany(m => m.Contents);
        List<FunctionCallContent> calls = [.. contents.OfType<FunctionCallContent>().Where(c => !serverTools.Contains(c.Name))];
        List<ToolApprovalRequestContent> approvals = [.. contents.OfType<ToolApprovalRequestContent>()];
        JsonArray executed = ServerToolCalls(contents.OfType<FunctionCallContent>().Where(c => serverTools.Contains(c.Name)), contents.OfType<FunctionResultContent>());
        bool pending = calls.Count > 0 || approvals.Count > 0;
        string text = response.Text;
        var message = new JsonObject
        {
            ["role"] = "assistant",
            ["content"] = text.Length == 0 && pending ? null : text,
            ["refusal"] = null,
        };
        if (pending)
        {
            message["tool_calls"] = ToolCalls([.. calls, .. approvals.Select(a => (FunctionCallContent)a.ToolCall)], firstIndex: null);
        }

        if (approvals.Count > 0)
        {
            message["approval_requests"] = ApprovalRequests(approvals);
        }

        if (executed.Count > 0)
        {
            message["server_tool_calls"] = executed;
        }

        JsonObject completion = Header(id, "chat.completion", created, model);
        completion["choices"] = new JsonArray(new JsonObject
        {
            ["index"] = 0,
            ["message"] = message,
            ["logprobs"] = null,
            ["finish_reason"] = FinishReason(response.FinishReason, pending),
        });
        completion["usage"] = Usage(response.Usage);
        return WithSources(completion, response.AdditionalProperties);
    }

    /// <summary>
    /// OffGrid's <c>approval_requests</c>: server tool calls that wait for a person. The client answers each with a tool
    /// message <c>{"role":"tool","tool_call_id":…,"approved":true|false}</c> after this assistant message.
    /// </summary>
    public static JsonArray ApprovalRequests(IEnumerable<ToolApprovalRequestContent> approvals)
    {
        var array = new JsonArray();
        foreach (FunctionCallContent call in approvals.Select(a => (FunctionCallContent)a.ToolCall))
        {
            array.Add(new JsonObject
            {
                ["id"] = ChatCompletionMapper.ApprovalId(call.CallId),
                ["tool_call_id"] = call.CallId,
                ["name"] = call.Name,
                ["arguments"] = Arguments(call),
            });
        }

        return array;
    }

    /// <summary>OffGrid's <c>server_tool_calls</c>: calls the server ran, with their results.</summary>
    public static JsonArray ServerToolCalls(IEnumerable<FunctionCallContent> calls, IEnumerable<FunctionResultContent> results)
    {
        Dictionary<string, FunctionResultContent> byId = results.GroupBy(r => r.CallId).ToDictionary(g => g.Key, g => g.Last());
        var array = new JsonArray();
        foreach (FunctionCallContent call in calls.Where(c => byId.ContainsKey(c.CallId)))
        {
            array.Add(new JsonObject
            {
                ["id"] = call.CallId,
                ["name"] = call.Name,
                ["arguments"] = Arguments(call),
                ["result"] = byId[call.CallId].Result?.ToString() ?? string.Empty,
            });
        }

        return array;
    }

    /// <summary>
    /// Adds OffGrid's <c>sources</c> extension (the knowledge sources an answer cites as <c>[n]</c>) when a knowledge
    /// pipeline put them in <paramref name="properties"/>; OpenAI's own fields are left as they are.
    /// </summary>
    public static JsonObject WithSources(JsonObject body, AdditionalPropertiesDictionary? properties)
    {
        if (Knowledge.KnowledgeShapes.Sources(properties) is { } sources)
        {
            body["sources"] = JsonSerializer.SerializeToNode(sources, ServerJson.Options);
        }

        if (Knowledge.KnowledgeShapes.Federation(properties) is { } federation)
        {
            body["knowledge"] = JsonSerializer.SerializeToNode(federation, ServerJson.Options);
        }

        return body;
    }

    /// <summary>
    /// One <c>chat.completion.chunk</c> with one choice. <paramref name="finishReason"/> is <c>null</c> until the last
    /// one; with <paramref name="usageRequested"/> every chunk carries <c>"usage": null</c>, as OpenAI sends them.
    /// </summary>
    public static JsonObject ChatChunk(string id, long created, string model, JsonObject delta, string? finishReason, bool usageRequested)
    {
        JsonObject chunk = Header(id, "chat.completion.chunk", created, model);
        chunk["choices"] = new JsonArray(new JsonObject
        {
            ["index"] = 0,
            ["delta"] = delta,
            ["logprobs"] = null,
            ["finish_reason"] = finishReason,
        });
        if (usageRequested)
        {
            chunk["usage"] = null;
        }

        return chunk;
    }

    /// <summary>The last chunk of a stream that asked for usage (<c>stream_options.include_usage</c>): no choices, the usage.</summary>
    public static JsonObject UsageChunk(string id, string @object, long created, string model, UsageDetails? usage)
    {
        JsonObject chunk = Header(id, @object, created, model);
        chunk["choices"] = new JsonArray();
        chunk["usage"] = Usage(usage);
        return chunk;
    }

    /// <summary>
    /// A <c>text_completion</c>: whole (with <paramref name="usage"/>) or a streamed chunk (without, and
    /// <c>"usage": null</c> when <paramref name="usageRequested"/>).
    /// </summary>
    public static JsonObject TextCompletion(string id, long created, string model, string text, string? finishReason, UsageDetails? usage, bool usageRequested = false)
    {
        JsonObject completion = Header(id, "text_completion", created, model);
        completion["choices"] = new JsonArray(new JsonObject
        {
            ["text"] = text,
            ["index"] = 0,
            ["logprobs"] = null,
            ["finish_reason"] = finishReason,
        });
        if (usage is not null)
        {
            completion["usage"] = Usage(usage);
        }
        else if (usageRequested)
        {
            completion["usage"] = null;
        }

        return completion;
    }

    /// <summary>
    /// The tool calls of an assistant message, arguments as a JSON string as OpenAI sends them. In a stream delta each
    /// call carries its position in the response (<c>index</c>), counted from <paramref name="firstIndex"/>.
    /// </summary>
    public static JsonArray ToolCalls(IEnumerable<FunctionCallContent> calls, int? firstIndex)
    {
        var array = new JsonArray();
        foreach (FunctionCallContent call in calls)
        {
            var item = new JsonObject();
            if (firstIndex is { } first)
            {
                item["index"] = first + array.Count;
            }

            item["id"] = call.CallId;
            item["type"] = "function";
            item["function"] = new JsonObject
            {
                ["name"] = call.Name,
                ["arguments"] = Arguments(call),
            };
            array.Add(item);
        }

        return array;
    }

    private static string Arguments(FunctionCallContent call) => JsonSerializer.Serialize(call.Arguments ?? new Dictionary<string, object?>(), ServerJson.Options);

    /// <summary>OpenAI's <c>finish_reason</c>.</summary>
    public static string FinishReason(ChatFinishReason? reason, bool calledTools) =>
        calledTools ? "tool_calls" : reason?.Value ?? ChatFinishReason.Stop.Value;

    /// <summary>OpenAI's <c>usage</c> object.</summary>
    public static JsonObject Usage(UsageDetails? usage) => new()
    {
        ["prompt_tokens"] = usage?.InputTokenCount ?? 0,
        ["completion_tokens"] = usage?.OutputTokenCount ?? 0,
        ["total_tokens"] = usage?.TotalTokenCount ?? (usage?.InputTokenCount ?? 0) + (usage?.OutputTokenCount ?? 0),
        ["prompt_tokens_details"] = new JsonObject { ["cached_tokens"] = usage?.CachedInputTokenCount ?? 0 },
        ["completion_tokens_details"] = new JsonObject { ["reasoning_tokens"] = usage?.ReasoningTokenCount ?? 0 },
    };

    /// <summary>A new response id with OpenAI's prefix.</summary>
    public static string NewId(string prefix) => prefix + Guid.NewGuid().ToString("N")[..24];

    private static JsonObject Header(string id, string @object, long created, string model) => new()
    {
        ["id"] = id,
        ["object"] = @object,
        ["created"] = created,
        ["model"] = model,
        ["system_fingerprint"] = SystemFingerprint,
    };
}
