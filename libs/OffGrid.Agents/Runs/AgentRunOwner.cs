using System.Collections.Concurrent;
using System.Diagnostics;

namespace OffGrid.Agents.Runs;

/// <summary>
/// The process that executes a run: its host, id and start time. Several processes share one <c>agents.db</c> (a server and
/// CLI runs), so a <c>running</c> run is only <c>interrupted</c> when its owner is gone; the start time tells a reused
/// process id from the owner.
/// </summary>
/// <remarks>Immutable; <see cref="IsAlive"/> is thread-safe.</remarks>
internal sealed record AgentRunOwner(string Host, int ProcessId, long StartedTicks)
{
    // Start times are read from /proc (or the OS) and the boot time they are based on drifts by milliseconds between
    // reads; a pid reused within this window by a new process is not a realistic case.
    private static readonly TimeSpan s_startTolerance = TimeSpan.FromSeconds(2);

    /// <summary>The runs this process executes, over every <see cref="AgentRuns"/> instance in it.</summary>
    private static readonly ConcurrentDictionary<string, byte> s_executing = new(StringComparer.Ordinal);

    /// <summary>Gets this process.</summary>
    public static AgentRunOwner Current { get; } = CreateCurrent();

    public static void Executing(string runId) => s_executing[runId] = 0;

    public static void Stopped(string runId) => s_executing.TryRemove(runId, out _);

    /// <summary>Whether the owner still executes <paramref name="runId"/>.</summary>
    /// <remarks>A run of another host cannot be checked from here and counts as alive.</remarks>
    public bool IsAlive(string runId)
    {
        if (this == Current)
        {
            return s_executing.ContainsKey(runId);
        }

        if (!string.Equals(Host, Current.Host, StringComparison.Ordinal))
        {
            return true;
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

    /// <summary>How a user can find the owner: "process 1234".</summary>
    public override string ToString() => string.Equals(Host, Current.Host, StringComparison.Ordinal) ? $"process {ProcessId}" : $"process {ProcessId} on {Host}";

    private static AgentRunOwner CreateCurrent()
    {
        using Process self = Process.GetCurrentProcess();
        return new AgentRunOwner(Environment.MachineName, Environment.ProcessId, self.StartTime.ToUniversalTime().Ticks);
    }
}
