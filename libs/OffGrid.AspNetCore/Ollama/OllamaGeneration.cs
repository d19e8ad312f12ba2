using System.Diagnostics;
using Microsoft.Extensions.AI;
using OffGrid.AspNetCore.Chat;
using OffGrid.AspNetCore.Http;
using OffGrid.AspNetCore.Models;
using OffGrid.Inference.Chat;

namespace OffGrid.AspNetCore.Ollama;

/// <summary>Runs an <c>/api/chat</c> or <c>/api/generate</c> request and writes Ollama's response, streamed as NDJSON or whole.</summary>
internal sealed class OllamaGeneration
{
    private readonly ModelSession _session;
    private readonly bool _chat;
    private readonly long _started;
    private long _callStarted;
    private long _firstToken;

    /// <param name="session">The model serving the request.</param>
    /// <param name="chat">Whether the response carries a chat <c>message</c> (else a generate <c>response</c>).</param>
    /// <param name="started">When the request arrived (<see cref="Stopwatch.GetTimestamp"/>), for <c>total_duration</c>.</param>
    public OllamaGeneration(ModelSession session, bool chat, long started)
    {
        _session = session;
        _chat = chat;
        _started = started;
    }

    public async Task<IResult> RespondAsync(HttpContext http, IList<ChatMessage> messages, ChatOptions options, bool stream)
    {
        CancellationToken cancellationToken = http.RequestAborted;
        IChatClient client = _session.ChatClient;
        Knowledge.KnowledgeChat.EnsureAvailable(client, options, "options.knowledge");
        _callStarted = Stopwatch.GetTimestamp();
        if (!stream)
        {
            // Only the engine in this process times prompt and generation itself; elsewhere (the worker, a remote backend)
            // the answer is streamed here so that its first token splits the two.
            ChatResponse response = _session.Lease is not null
                ? await client.GetResponseAsync(messages, options, cancellationToken)
                : await TimedAsync(client.GetStreamingResponseAsync(messages, options, cancellationToken)).ToChatResponseAsync(cancellationToken);
            List<AIContent> contents = [.. response.Messages.SelectMany(m => m.Contents)];
            return Results.Json(Final(Chunk(response.Text, contents, done: true), response.FinishReason, response.Usage, response.AdditionalProperties) with
            {
                Sources = Knowledge.KnowledgeShapes.Sources(response.AdditionalProperties),
                Knowledge = Knowledge.KnowledgeShapes.Federation(response.AdditionalProperties),
            }, ServerJson.Options);
        }

        await using ChatUpdateStream updates = await ChatUpdateStream.StartAsync(client, messages, options, cancellationToken);
        var writer = ChunkedJsonWriter.NewlineDelimited(http.Response);
        try
        {
            UsageDetails? usage = null;
            ChatFinishReason? finish = null;
            AdditionalPropertiesDictionary? properties = null;
            object[]? sources = Knowledge.KnowledgeShapes.Sources(updates.First?.AdditionalProperties);
            object? knowledge = Knowledge.KnowledgeShapes.Federation(updates.First?.AdditionalProperties);
            await foreach (ChatResponseUpdate update in updates.ReadAllAsync())
            {
                finish = update.FinishReason ?? finish;
                properties = update.AdditionalProperties ?? properties;
                usage = update.Contents.OfType<UsageContent>().LastOrDefault()?.Details ?? usage;
                if (IsOutput(update))
                {
                    MarkFirstToken();
                    // The sources an answer cites come with its first object, before any [n] in the text.
                    await writer.WriteAsync(Chunk(update.Text, update.Contents, done: false) with { Sources = sources, Knowledge = knowledge }, cancellationToken);
                    sources = null;
                    knowledge = null;
                }
            }
            await writer.WriteAsync(Final(Chunk(string.Empty, [], done: true), finish, usage, properties), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Headers are gone: the error can only travel as a line of the stream.
            await writer.WriteAsync(OllamaShapes.Error(ApiError.From(ex)), cancellationToken);
        }

        return Results.Empty;
    }

    /// <summary>The answer to a request that only loads or unloads the model (no prompt).</summary>
    public static OllamaChunk Lifecycle(string model, bool chat, string doneReason) => new(model, DateTimeOffset.UtcNow, Done: true)
    {
        Message = chat ? new OllamaMessage("assistant", string.Empty) : null,
        Response = chat ? null : string.Empty,
        DoneReason = doneReason,
    };

    private OllamaChunk Chunk(string text, IList<AIContent> contents, bool done)
    {
        List<FunctionCallContent> calls = [.. contents.OfType<FunctionCallContent>()];
        string? thinking = contents.OfType<TextReasoningContent>().Select(r => r.Text).ToList() is { Count: > 0 } parts ? string.Concat(parts) : null;
        return new(_session.Model.Name, DateTimeOffset.UtcNow, done)
        {
            Message = _chat ? new OllamaMessage("assistant", text, calls.Count > 0 ? OllamaShapes.ToolCalls(calls) : null, thinking) : null,
            Response = _chat ? null : text,
            Thinking = _chat ? null : thinking,
        };
    }

    private OllamaChunk Final(OllamaChunk chunk, ChatFinishReason? finish, UsageDetails? usage, AdditionalPropertiesDictionary? properties) => chunk with
    {
        Context = _chat ? null : properties?.GetValueOrDefault(LlamaChatOptions.ContextKey) as IReadOnlyList<int>,
        DoneReason = finish == ChatFinishReason.Length ? "length" : "stop",
        TotalDuration = Nanoseconds(Stopwatch.GetElapsedTime(_started)),
        LoadDuration = usage?.AdditionalCounts?.GetValueOrDefault(LlamaChatOptions.LoadDurationKey) is { } load and > 0 ? load : Nanoseconds(_session.LoadDuration),
        PromptEvalCount = usage?.InputTokenCount ?? 0,
        PromptEvalDuration = usage?.AdditionalCounts?.GetValueOrDefault(LlamaChatOptions.PromptEvalDurationKey) is { } prompt and > 0
            ? prompt
            : Nanoseconds(Stopwatch.GetElapsedTime(_callStarted, _firstToken == 0 ? Stopwatch.GetTimestamp() : _firstToken)),
        EvalCount = usage?.OutputTokenCount ?? 0,
        EvalDuration = usage?.AdditionalCounts?.GetValueOrDefault(LlamaChatOptions.EvalDurationKey) is { } eval and > 0
            ? eval
            : _firstToken == 0 ? 0 : Nanoseconds(Stopwatch.GetElapsedTime(_firstToken)),
    };

    /// <summary>Passes the updates on, noting when the first token arrived.</summary>
    private async IAsyncEnumerable<ChatResponseUpdate> TimedAsync(IAsyncEnumerable<ChatResponseUpdate> updates)
    {
        await foreach (ChatResponseUpdate update in updates.ConfigureAwait(false))
        {
            if (IsOutput(update))
            {
                MarkFirstToken();
            }

            yield return update;
        }
    }

    private void MarkFirstToken()
    {
        if (_firstToken == 0)
        {
            _firstToken = Stopwatch.GetTimestamp();
        }
    }

    private static bool IsOutput(ChatResponseUpdate update) =>
        update.Text.Length > 0 || update.Contents.Any(c => c is FunctionCallContent or TextReasoningContent);

    private static long Nanoseconds(TimeSpan duration) => duration.Ticks * 100;
}
