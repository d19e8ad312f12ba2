using System.Diagnostics;

namespace OffGrid.Inference.Bench;

/// <summary>Measures the CPU time (user and system, every thread) the process spends on one piece of work.</summary>
internal static class ProcessCpu
{
    public static TimeSpan Now
    {
        get
        {
            using var process = Process.GetCurrentProcess();
            return process.TotalProcessorTime;
        }
    }

    /// <summary>Runs <paramref name="work"/> and stamps its result with the CPU time it took.</summary>
    public static async Task<Throughput> MeasureAsync(Func<Task<Throughput>> work)
    {
        TimeSpan before = Now;
        Throughput result = await work().ConfigureAwait(false);
        return result with { CpuTime = Now - before };
    }

    /// <summary>Runs <paramref name="work"/> and stamps its result with the CPU time it took.</summary>
    public static Throughput Measure(Func<Throughput> work)
    {
        TimeSpan before = Now;
        Throughput result = work();
        return result with { CpuTime = Now - before };
    }
}
