using System.Diagnostics;

namespace OffGrid.Inference.Engine;

/// <summary>Text produced by one engine step for one request; the last update carries <see cref="Finish"/> and the timings.</summary>
internal readonly record struct GenerationUpdate(string Text, GenerationFinish? Finish, int PromptTokens, int CachedPromptTokens, int OutputTokens)
{
    /// <summary>Time from submission until a sequence was free for the request; set on the last update.</summary>
    public TimeSpan QueueDuration { get; init; }

    /// <summary>
    /// On the last update: when the engine took the request from its queue (a <see cref="Stopwatch.GetTimestamp"/> value;
    /// 0 when it never did). The timestamps are taken where the work happens: a reader that gets queued updates in a burst
    /// would see a phase take no time at all.
    /// </summary>
    public long AdmittedAt { get; init; }

    /// <summary>On the last update: when the engine sampled the first answer token, the end of the prompt phase (a <see cref="Stopwatch.GetTimestamp"/> value).</summary>
    public long FirstTokenAt { get; init; }

    /// <summary>On the last update: when the engine finished the request (a <see cref="Stopwatch.GetTimestamp"/> value).</summary>
    public long FinishedAt { get; init; }

    /// <summary>Time from admission until the prompt was evaluated (first token sampled); set on the last update.</summary>
    public TimeSpan PromptDuration => AdmittedAt == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(AdmittedAt, FirstTokenAt);

    /// <summary>Time spent generating the tokens after the first; set on the last update.</summary>
    public TimeSpan GenerationDuration => Stopwatch.GetElapsedTime(FirstTokenAt, FinishedAt);

    /// <summary>
    /// On the last update: the end of <see cref="Text"/> that the engine wrote rather than sampled, to close
    /// grammar-constrained output within the token budget; <see langword="null"/> when the model wrote everything.
    /// </summary>
    public string? Closing { get; init; }

    /// <summary>On the last update: the ids of every token the answer holds, sampled or written as the closing.</summary>
    public IReadOnlyList<int> OutputTokenIds { get; init; } = [];

    /// <summary>On the last update: tokens drafted for speculative decoding, and how many of them the target accepted.</summary>
    public int DraftTokens { get; init; }

    /// <summary>On the last update: drafted tokens the target model accepted (each saved one decode step).</summary>
    public int AcceptedDraftTokens { get; init; }
}
