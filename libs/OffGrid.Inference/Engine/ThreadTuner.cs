using System.Globalization;

namespace OffGrid.Inference.Engine;

/// <summary>
/// Chooses how many threads llama.cpp uses per decode step from the cores this process may actually run on, and
/// keeps adapting while generating: after its first window of generation steps, then every
/// <see cref="WindowsBetweenProbes"/> windows, it tries one thread fewer (or more) for one window and keeps whichever
/// count gave the shorter mean step.
/// </summary>
/// <remarks>
/// ggml's threads meet at a barrier after every operation, so one of them losing its core to another process
/// stalls the whole step; on a busy machine fewer threads are often several times faster than one per core.
/// Those stalls are rare and long (a scheduler time slice, milliseconds), so a window lasts at least
/// <see cref="WindowSeconds"/> and steps are compared by their mean, which is what tokens per second follow; a median
/// hides the stalls and once chose two threads that halved a small model's speed. Only steps of the same batch size
/// are compared. Not thread-safe: the engine's worker thread owns it.
/// </remarks>
internal sealed class ThreadTuner
{
    internal const int WindowSteps = 24;
    internal const double WindowSeconds = 0.2;
    internal const int WindowsBetweenProbes = 15;
    // More threads must win clearly: when another process wakes up, an extra thread turns a small gain into a collapse.
    private const double GainToAdd = 0.8;
    private const double GainToDrop = 0.95;

    private readonly int _max;
    private StepWindow _waited = NewWindow();
    private StepWindow _current = NewWindow();
    private StepWindow _probe = NewWindow();
    private int _chosen;
    private bool _probing;
    // The first probe comes early: the load average that chose the starting count may be stale or this process's own.
    private int _waitWindows = 1;
    private int _windowsLeft = 1;
    private int _shape;
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

    /// <summary>
    /// Records a generation step that took <paramref name="seconds"/>; returns whether <see cref="Threads"/> changed.
    /// <paramref name="shape"/> tells steps that cost differently apart (the engine passes the batch size, negated when
    /// the step decoded its sequences one by one): a new shape starts the measuring over.
    /// </summary>
    public bool Record(int shape, double seconds)
    {
        if (_max == 1)
        {
            return false;
        }

        if (shape != _shape)
        {
            // A different batch costs differently: start over at the chosen count.
            _shape = shape;
            return Reset();
        }

        if (!_probing)
        {
            if (_windowsLeft > 0)
            {
                if (_waited.Add(seconds))
                {
                    _waited = NewWindow();
                    _windowsLeft--;
                }

                return false;
            }

            if (!_current.Add(seconds))
            {
                return false;
            }

            _probing = true;
            Threads = NextProbe();
            return true;
        }

        if (!_probe.Add(seconds))
        {
            return false;
        }

        bool better = _probe.Mean < _current.Mean * (Threads > _chosen ? GainToAdd : GainToDrop);
        if (better)
        {
            _chosen = Threads;
        }

        // A change is checked again soon, so a wrong one (a lucky quiet moment) does not last.
        _waitWindows = better ? 1 : WindowsBetweenProbes;
        return Reset();
    }

    // Back to the chosen count; measuring starts over.
    private bool Reset()
    {
        bool changed = Threads != _chosen;
        Threads = _chosen;
        _probing = false;
        _windowsLeft = _waitWindows;
        _waited = NewWindow();
        _current = NewWindow();
        _probe = NewWindow();
        return changed;
    }

    // Alternates between trying one thread fewer and one more, within 1.._max.
    private int NextProbe()
    {
        _probeDown = !_probeDown;
        bool down = (_probeDown && _chosen > 1) || _chosen == _max;
        return down ? _chosen - 1 : _chosen + 1;
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

    private static StepWindow NewWindow() => new(WindowSteps, WindowSeconds);
}
