namespace OffGrid.AspNetCore.Ollama;

/// <summary>
/// One object of an Ollama <c>/api/chat</c> or <c>/api/generate</c> response: chat fills <see cref="Message"/>, generate
/// fills <see cref="Response"/>; the last one has <see cref="Done"/> set and the timings (nanoseconds).
/// </summary>
internal sealed record OllamaChunk(string Model, DateTimeOffset CreatedAt, bool Done)
{
    public OllamaMessage? Message { get; init; }

    public string? Response { get; init; }

    /// <summary><c>/api/generate</c>: the model's reasoning, when it thinks.</summary>
    public string? Thinking { get; init; }

    public string? DoneReason { get; init; }

    public long? TotalDuration { get; init; }

    public long? LoadDuration { get; init; }

    public long? PromptEvalCount { get; init; }

    public long? PromptEvalDuration { get; init; }

    public long? EvalCount { get; init; }

    public long? EvalDuration { get; init; }

    /// <summary><c>/api/generate</c>'s last object: the whole exchange in tokens, for the client to send back.</summary>
    public IReadOnlyList<int>? Context { get; init; }

    /// <summary>OffGrid's extension: the knowledge sources the answer cites as <c>[n]</c> (on the first streamed object, and on a whole response).</summary>
    public object[]? Sources { get; init; }

    /// <summary>OffGrid's extension beside <see cref="Sources"/>: which knowledge nodes answered, and whether the sources are partial.</summary>
    public object? Knowledge { get; init; }
}
