namespace OffGrid.Governance.Audit;

/// <summary>Something to record in the audit log: one HTTP request or one model call.</summary>
public sealed record AuditEvent
{
    /// <summary>Gets when it happened (its start); the time of appending when <see langword="null"/>.</summary>
    public DateTimeOffset? Timestamp { get; init; }

    /// <summary>Gets the user, when known.</summary>
    public string? UserName { get; init; }

    /// <summary>Gets the visible id of the API key used, when one was.</summary>
    public string? KeyId { get; init; }

    /// <summary>Gets the client's network address, when the event came over the network.</summary>
    public string? ClientAddress { get; init; }

    /// <summary>Gets the HTTP method, for HTTP events.</summary>
    public string? Method { get; init; }

    /// <summary>Gets what was called: the route pattern of an HTTP endpoint (<c>/v1/chat/completions</c>) or a name such as <c>chat</c>.</summary>
    public required string Route { get; init; }

    /// <summary>Gets the model used, when one was.</summary>
    public string? Model { get; init; }

    /// <summary>Gets the prompt tokens, when a model was called.</summary>
    public long? InputTokens { get; init; }

    /// <summary>Gets the generated tokens, when a model was called.</summary>
    public long? OutputTokens { get; init; }

    /// <summary>Gets the outcome as an HTTP status code (model calls: 200 success, 401/403 refused, 429 quota, 499 cancelled, 500 failed).</summary>
    public int Status { get; init; }

    /// <summary>Gets how long it took, at microsecond resolution.</summary>
    public TimeSpan Latency { get; init; }

    /// <summary>Gets the request's messages as <c>role: text</c> lines; set only when <see cref="AuditOptions.RecordContent"/> is on.</summary>
    public string? Prompt { get; init; }

    /// <summary>Gets the answer's text; set only when <see cref="AuditOptions.RecordContent"/> is on.</summary>
    public string? Answer { get; init; }
}
