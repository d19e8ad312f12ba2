using System.Globalization;

namespace OffGrid.Inference.Engine;

/// <summary>
/// Chooses how many threads llama.cpp uses per decode step from the cores this process may actually run on, and
/// keeps adapting while generating: every <see cref="ProbeEvery"/> generation steps it tries one thread fewer (or
/// more) for <see cref="Window"/> steps and keeps whichever count gave the shorter median step.
/// </summary>
/// <remarks>
/// ggml's threads meet at a barrier after every operation, so one of them losing its core to another process
/// stalls the whole step; on a busy machine fewer threads are often several times faster than one per core.
/// Only steps of the same batch size are compared. Not thread-safe: the engine's worker thread owns it.
/// </remarks>
internal sealed class ThreadTuner
{
    internal const int Window = 24;
    internal const int ProbeEvery = 16 * Window;
    // More threads must win clearly: when another process wakes up, an extra thread turns a small gain into a collapse.
    private const double GainToAdd = 0.8;
    private const double GainToDrop = 0.95;

    private readonly int _max;
    private readonly List<double> _current = new(Window);
    private readonly List<double> _probe = new(Window);
    private int _chosen;
    private bool _probing;
    private int _stepsSinceProbe;
    private int _probeAfter = ProbeEvery - Window;
    private int _batchSize = -1;
    private bool _probeDown = true;

    /// <summary>Starts at <paramref name="initial"/> threads, adapting between 1 and <paramref name="max"/>.</summary>
    public ThreadTuner(int initial, int max)
    {
        _max = max;
        _chosen = Threads = Math.Clamp(initial, 1, max);
    }

    /// <summary>The thread count to use for the next step (the probe's while one runs).</summary>
    public int Threads { get; private set; }

    /// <summary>
    /// The threads to start with: the physical cores this process may use (affinity and cgroup CPU quota, which
    /// <see cref="Environment.ProcessorCount"/> honours), less the cores other processes keep busy by the 1-minute
    /// load average, at least 1.
    /// </summary>
    public static int Initial(int physicalCores)
    {
        int cores = Math.Max(1, Math.Min(physicalCores, Environment.ProcessorCount));
        double busy = ReadLoadAverage() ?? 0;
        return Math.Clamp((int)Math.Round(cores - busy, MidpointRounding.AwayFromZero), 1, cores);
    }

    /// <summary>Records a generation step of <paramref name="batchSize"/> tokens that took <paramref name="seconds"/>; returns whether <see cref="Threads"/> changed.</summary>
    public bool Record(int batchSize, double seconds)
    {
        if (_max == 1)
        {
            return false;
        }

        if (batchSize != _batchSize)
        {
            // A different batch costs differently: start over at the chosen count.
            _batchSize = batchSize;
            return Reset();
        }

        if (!_probing)
        {
            if (++_stepsSinceProbe <= _probeAfter)
            {
                return false;
            }

            _current.Add(seconds);
            if (_current.Count < Window)
            {
                return false;
            }

            _probing = true;
            Threads = NextProbe();
            return true;
        }

        _probe.Add(seconds);
        if (_probe.Count < Window)
        {
            return false;
        }

        bool better = Median(_probe) < Median(_current) * (Threads > _chosen ? GainToAdd : GainToDrop);
        if (better)
        {
            _chosen = Threads;
        }

        Reset();

        // A change is checked again soon, so a wrong one (a lucky quiet moment) does not last.
        _probeAfter = better ? Window : ProbeEvery - Window;
        return true;
    }

    // Back to the chosen count; measuring starts over.
    private bool Reset()
    {
        bool changed = Threads != _chosen;
        Threads = _chosen;
        _probing = false;
        _stepsSinceProbe = 0;
        _current.Clear();
        _probe.Clear();
        return changed;
    }

    // Alternates between trying one thread fewer and one more, within 1.._max.
    private int NextProbe()
    {
        _probeDown = !_probeDown;
        bool down = (_probeDown && _chosen > 1) || _chosen == _max;
        return down ? _chosen - 1 : _chosen + 1;
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }

    private static double? ReadLoadAverage()
    {
        try
        {
            string text = File.ReadAllText("/proc/loadavg");
            return double.Parse(text.AsSpan(0, text.IndexOf(' ', StringComparison.Ordinal)), CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or ArgumentException)
        {
            return null;
        }
    }
}
