namespace OffGrid.Governance.Quotas;

/// <summary>
/// An admitted model call. Report its token use with <see cref="AddUsage(long, long)"/> and dispose it when the call ends:
/// that frees its concurrency slot and records the call and its tokens in the usage table.
/// </summary>
/// <remarks>Owned by one call; <see cref="AddUsage(long, long)"/> may be called from any thread, dispose exactly once.</remarks>
public sealed class QuotaLease : IAsyncDisposable
{
    private readonly QuotaService _service;
    private long _inputTokens;
    private long _outputTokens;
    private int _disposed;

    internal QuotaLease(QuotaService service, QuotaCounters counters, string userName)
    {
        _service = service;
        Counters = counters;
        UserName = userName;
    }

    /// <summary>Gets the user the call is counted for (as spelled in the directory).</summary>
    public string UserName { get; }

    /// <summary>Gets the input tokens reported so far.</summary>
    public long InputTokens => Interlocked.Read(ref _inputTokens);

    /// <summary>Gets the output tokens reported so far.</summary>
    public long OutputTokens => Interlocked.Read(ref _outputTokens);

    internal QuotaCounters Counters { get; }

    /// <summary>Adds tokens the call consumed.</summary>
    /// <param name="inputTokens">Prompt tokens (not negative).</param>
    /// <param name="outputTokens">Generated tokens (not negative).</param>
    public void AddUsage(long inputTokens, long outputTokens)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inputTokens);
        ArgumentOutOfRangeException.ThrowIfNegative(outputTokens);
        Interlocked.Add(ref _inputTokens, inputTokens);
        Interlocked.Add(ref _outputTokens, outputTokens);
    }

    /// <summary>Ends the call: frees its slot and records it.</summary>
    /// <returns>A task that completes when the usage is stored.</returns>
    public ValueTask DisposeAsync() =>
        Interlocked.Exchange(ref _disposed, 1) == 0 ? new ValueTask(_service.ReleaseAsync(this)) : ValueTask.CompletedTask;
}
