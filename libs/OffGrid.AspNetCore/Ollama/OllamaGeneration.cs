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
        if (!stream)
        {
            ChatResponse response = await client.GetResponseAsync(messages, options, cancellationToken);
            List<FunctionCallContent> calls = [.. response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>()];
            return Results.Json(Final(Chunk(response.Text, calls, done: true), response.FinishReason, response.Usage), ServerJson.Options);
        }

        await using ChatUpdateStream updates = await ChatUpdateStream.StartAsync(client, messages, options, cancellationToken);
        var writer = ChunkedJsonWriter.NewlineDelimited(http.Response);
        try
        {
            UsageDetails? usage = null;
            ChatFinishReason? finish = null;
            await foreach (ChatResponseUpdate update in updates.ReadAllAsync())
            {
                finish = update.FinishReason ?? finish;
                usage = update.Contents.OfType<UsageContent>().LastOrDefault()?.Details ?? usage;
                List<FunctionCallContent> calls = [.. update.Contents.OfType<FunctionCallContent>()];
                if (update.Text.Length > 0 || calls.Count > 0)
                {
                    await writer.WriteAsync(Chunk(update.Text, calls, done: false), cancellationToken);
                }
            }
            await writer.WriteAsync(Final(Chunk(string.Empty, [], done: true), finish, usage), cancellationToken);
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

    private OllamaChunk Chunk(string text, IReadOnlyList<FunctionCallContent> calls, bool done) => new(_session.Model.Name, DateTimeOffset.UtcNow, done)
    {
        Message = _chat ? new OllamaMessage("assistant", text, calls.Count > 0 ? OllamaShapes.ToolCalls(calls) : null) : null,
        Response = _chat ? null : text,
    };

    private OllamaChunk Final(OllamaChunk chunk, ChatFinishReason? finish, UsageDetails? usage) => chunk with
    {
        DoneReason = finish == ChatFinishReason.Length ? "length" : "stop",
        TotalDuration = Nanoseconds(Stopwatch.GetElapsedTime(_started)),
        LoadDuration = Nanoseconds(_session.LoadDuration),
        PromptEvalCount = usage?.InputTokenCount ?? 0,
        PromptEvalDuration = usage?.AdditionalCounts?.GetValueOrDefault(LlamaChatOptions.PromptEvalDurationKey) ?? 0,
        EvalCount = usage?.OutputTokenCount ?? 0,
        EvalDuration = usage?.AdditionalCounts?.GetValueOrDefault(LlamaChatOptions.EvalDurationKey) ?? 0,
    };

    private static long Nanoseconds(TimeSpan duration) => duration.Ticks * 100;
}
