namespace OffGrid.Governance.Quotas;

/// <summary>
/// An admitted model call. Report its token use with <see cref="AddUsage(long, long)"/> and dispose it when the call ends:
/// that frees its concurrency slot and records the call and its tokens in the usage table.
/// </summary>
/// <remarks>
/// Owned by one call; <see cref="AddUsage(long, long)"/> may be called from any thread, dispose exactly once. A unit of work
/// that makes several model calls (an agent run, whose agents may call the model at the same time) is admitted once and
/// enters its lease with <see cref="Enter"/>: the calls inside it count their tokens but take no request or concurrency slot.
/// </remarks>
public sealed class QuotaLease : IAsyncDisposable
{
    private static readonly AsyncLocal<QuotaLease?> s_enclosing = new();
    private readonly QuotaService _service;
    private long _inputTokens;
    private long _outputTokens;
    private int _disposed;

    internal QuotaLease(QuotaService service, QuotaCounters counters, string userName, bool nested = false)
    {
        _service = service;
        Counters = counters;
        UserName = userName;
        IsNested = nested;
    }

    /// <summary>Gets the user the call is counted for (as spelled in the directory).</summary>
    public string UserName { get; }

    /// <summary>Gets the input tokens reported so far.</summary>
    public long InputTokens => Interlocked.Read(ref _inputTokens);

    /// <summary>Gets the output tokens reported so far.</summary>
    public long OutputTokens => Interlocked.Read(ref _outputTokens);

    internal QuotaCounters Counters { get; }

    /// <summary>Gets whether this call runs inside an enclosing lease, whose request and concurrency slot it shares.</summary>
    internal bool IsNested { get; }

    /// <summary>Gets the lease the current flow entered with <see cref="Enter"/>, while it is not disposed.</summary>
    internal static QuotaLease? Enclosing => s_enclosing.Value is { _disposed: 0 } lease ? lease : null;

    /// <summary>
    /// Makes this lease enclose the model calls of the current flow (the awaited calls and the tasks started in it, also after
    /// the returned scope ends): the same user's calls are then admitted inside it while it is not disposed. They must be
    /// allowed the model and under the daily token limit, but count as neither a request per minute nor a concurrent request.
    /// </summary>
    /// <returns>A scope that restores the flow's previous enclosing lease when disposed.</returns>
    public IDisposable Enter()
    {
        QuotaLease? previous = s_enclosing.Value;
        s_enclosing.Value = this;
        return new Scope(previous);
    }

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

    private sealed class Scope(QuotaLease? previous) : IDisposable
    {
        public void Dispose() => s_enclosing.Value = previous;
    }
}
