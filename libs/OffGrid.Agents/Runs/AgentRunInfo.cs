namespace OffGrid.Agents.Runs;

/// <summary>A run as stored: its request, status, answer and token usage.</summary>
/// <remarks>Immutable; safe to share between threads.</remarks>
public sealed record AgentRunInfo
{
    /// <summary>Gets the run's id (<c>run_</c> and 24 hex digits).</summary>
    public required string Id { get; init; }

    /// <summary>Gets what was asked.</summary>
    public required AgentRunRequest Request { get; init; }

    /// <summary>Gets where the run stands.</summary>
    public AgentRunStatus Status { get; init; }

    /// <summary>Gets the final answer once the run completed.</summary>
    public string? Answer { get; init; }

    /// <summary>Gets why the run failed, was cancelled, interrupted or over budget.</summary>
    public string? Error { get; init; }

    /// <summary>Gets the prompt tokens the run spent.</summary>
    public long InputTokens { get; init; }

    /// <summary>Gets the output tokens the run spent.</summary>
    public long OutputTokens { get; init; }

    /// <summary>Gets when the run was started.</summary>
    public DateTimeOffset Created { get; init; }

    /// <summary>Gets when the run last changed status.</summary>
    public DateTimeOffset Updated { get; init; }

    /// <summary>Gets the process executing the run while it is running.</summary>
    internal AgentRunOwner? Owner { get; init; }
}
