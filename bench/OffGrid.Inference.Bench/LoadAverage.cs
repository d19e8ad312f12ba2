using System.Diagnostics;
using System.Globalization;

namespace OffGrid.Inference.Bench;

/// <summary>
/// The machine's 1-minute load average (<c>/proc/loadavg</c>). Other builds on a shared machine distort timings,
/// so every measurement phase first waits for the load to drop and records the value it started at.
/// </summary>
internal static class LoadAverage
{
    private static readonly TimeSpan s_pollInterval = TimeSpan.FromSeconds(15);

    /// <summary>The current 1-minute load average, or <see cref="double.NaN"/> where <c>/proc/loadavg</c> does not exist.</summary>
    public static double Current
    {
        get
        {
            const string Path = "/proc/loadavg";
            return File.Exists(Path)
                ? double.Parse(File.ReadAllText(Path).Split(' ')[0], CultureInfo.InvariantCulture)
                : double.NaN;
        }
    }

    /// <summary>Waits until the load is below <paramref name="threshold"/> or <paramref name="timeout"/> passes; returns the load measured last.</summary>
    public static async Task<double> WaitForQuietAsync(double threshold, TimeSpan timeout, TextWriter log)
    {
        var waited = Stopwatch.StartNew();
        double load = Current;
        while (!(load < threshold) && !double.IsNaN(load) && waited.Elapsed < timeout)
        {
            log.WriteLine($"  load {load:0.00} >= {threshold:0.00}; waiting ({waited.Elapsed.TotalSeconds:0} s so far)");
            await Task.Delay(s_pollInterval).ConfigureAwait(false);
            load = Current;
        }

        return load;
    }
}
