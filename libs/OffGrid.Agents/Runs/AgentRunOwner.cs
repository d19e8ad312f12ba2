using System.Collections.Concurrent;
using System.Diagnostics;

namespace OffGrid.Agents.Runs;

/// <summary>
/// The process that executes a run: its host, id and start time, and when the run's wall-clock budget ends. Several processes
/// share one <c>agents.db</c> (a server and CLI runs), so a <c>running</c> run is only <c>interrupted</c> when its owner is gone;
/// the start time tells a reused process id from the owner. A process on another host (another container sharing the
/// folder) cannot be looked up, so its run counts as alive until its budget ends, which no live run outlasts.
/// </summary>
/// <remarks>Immutable; <see cref="IsAlive"/> is thread-safe.</remarks>
internal sealed record AgentRunOwner(string Host, int ProcessId, long StartedTicks, DateTimeOffset? Until = null)
{
    // The wall clock stops a run at its budget; the margin covers storing the outcome.
    private static readonly TimeSpan s_grace = TimeSpan.FromMinutes(1);

    // Start times are read from /proc (or the OS) and the boot time they are based on drifts by milliseconds between
    // reads; a pid reused within this window by a new process is not a realistic case.
    private static readonly TimeSpan s_startTolerance = TimeSpan.FromSeconds(2);

    /// <summary>The runs this process executes, over every <see cref="AgentRuns"/> instance in it.</summary>
    private static readonly ConcurrentDictionary<string, byte> s_executing = new(StringComparer.Ordinal);

    /// <summary>Gets this process.</summary>
    public static AgentRunOwner Current { get; } = CreateCurrent();

    public static void Executing(string runId) => s_executing[runId] = 0;

    public static void Stopped(string runId) => s_executing.TryRemove(runId, out _);

    /// <summary>This process, executing a run whose wall-clock budget is <paramref name="maxSeconds"/>.</summary>
    public static AgentRunOwner ForRun(int maxSeconds) => Current with { Until = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(maxSeconds) + s_grace };

    /// <summary>Whether the owner still executes <paramref name="runId"/>.</summary>
    /// <remarks>A run of another host cannot be checked from here: it counts as alive until its budget ends.</remarks>
    public bool IsAlive(string runId)
    {
        if (IsProcess(Current))
        {
            return s_executing.ContainsKey(runId);
        }

        if (!string.Equals(Host, Current.Host, StringComparison.Ordinal))
        {
            return Until is not { } until || DateTimeOffset.UtcNow < until;
        }

        try
        {
            using Process process = Process.GetProcessById(ProcessId);
            return !process.HasExited && (process.StartTime.ToUniversalTime() - new DateTime(StartedTicks, DateTimeKind.Utc)).Duration() <= s_startTolerance;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            // No such process (ArgumentException), or it exited while being read.
            return false;
        }
    }

    private bool IsProcess(AgentRunOwner other) =>
        string.Equals(Host, other.Host, StringComparison.Ordinal) && ProcessId == other.ProcessId && StartedTicks == other.StartedTicks;

    /// <summary>How a user can find the owner: "process 1234".</summary>
    public override string ToString() => string.Equals(Host, Current.Host, StringComparison.Ordinal) ? $"process {ProcessId}" : $"process {ProcessId} on {Host}";

    private static AgentRunOwner CreateCurrent()
    {
        using Process self = Process.GetCurrentProcess();
        return new AgentRunOwner(Environment.MachineName, Environment.ProcessId, self.StartTime.ToUniversalTime().Ticks);
    }
}
