using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;

namespace OffGrid.AspNetCore.Http;

/// <summary>
/// Writes a streamed response one JSON object at a time, flushed at once so each token reaches the client as it is
/// generated: server-sent events for OpenAI (<c>data: {...}</c>) or newline-delimited JSON for Ollama.
/// </summary>
internal sealed class ChunkedJsonWriter
{
    private static readonly byte[] s_sseData = "data: "u8.ToArray();
    private static readonly byte[] s_sseEnd = "\n\n"u8.ToArray();
    private static readonly byte[] s_newLine = "\n"u8.ToArray();
    private static readonly byte[] s_sseDone = "data: [DONE]\n\n"u8.ToArray();

    private readonly HttpResponse _response;
    private readonly byte[] _prefix;
    private readonly byte[] _suffix;
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);

    private ChunkedJsonWriter(HttpResponse response, string contentType, byte[] prefix, byte[] suffix)
    {
        _response = response;
        _prefix = prefix;
        _suffix = suffix;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = contentType;
        response.Headers.CacheControl = "no-cache";

        // Reverse proxies (nginx) buffer responses unless told not to, which would hold tokens back.
        response.Headers["X-Accel-Buffering"] = "no";
    }

    /// <summary>Starts a server-sent-events response.</summary>
    public static ChunkedJsonWriter ServerSentEvents(HttpResponse response) => new(response, "text/event-stream; charset=utf-8", s_sseData, s_sseEnd);

    /// <summary>Starts a newline-delimited JSON response.</summary>
    public static ChunkedJsonWriter NewlineDelimited(HttpResponse response) => new(response, "application/x-ndjson; charset=utf-8", [], s_newLine);

    /// <summary>Writes one chunk and flushes it.</summary>
    public async Task WriteAsync(object chunk, CancellationToken cancellationToken)
    {
        // Serialized into a reused buffer first, not into the response pipe: Kestrel's chunked response writer may hand
        // out less memory than Utf8JsonWriter asks for near the end of its 4 KiB segment, which makes the serializer
        // throw mid-stream (about one Ollama stream in ten broke off after ~4 KiB). PipeWriter.Write spans segments.
        _buffer.ResetWrittenCount();
        using (var json = new Utf8JsonWriter(_buffer))
        {
            JsonSerializer.Serialize(json, chunk, ServerJson.Options);
        }

        PipeWriter body = _response.BodyWriter;
        body.Write(_prefix);
        body.Write(_buffer.WrittenSpan);
        body.Write(_suffix);
        await body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes OpenAI's end-of-stream marker, <c>data: [DONE]</c>.</summary>
    public async Task WriteDoneAsync(CancellationToken cancellationToken)
    {
        await _response.BodyWriter.WriteAsync(s_sseDone, cancellationToken).ConfigureAwait(false);
    }
}
