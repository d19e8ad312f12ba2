namespace OffGrid.Inference.Engine;

/// <summary>
/// Decides, for each number of generating sequences, whether a generation step decodes their next tokens in one
/// <c>llama_decode</c> call (one batch) or in one call per sequence, by timing both and keeping the faster.
/// </summary>
/// <remarks>
/// Batching is not always cheaper. On CPUs ggml multiplies a one-token batch with its matrix-vector kernels but a batch
/// of two or more tokens with matrix-matrix kernels (llamafile's sgemm), and for some weight types the latter costs
/// several one-token steps up to about eight tokens: measured with llama.cpp's own <c>llama-batched-bench</c> on Q8_0
/// weights (AMD EPYC, AVX-512, 1 thread), a step of 2 tokens took 4×, of 4 tokens 6× a one-token step, so four
/// sequences decoded one by one are 1.5× faster than batched. On Q4_0, F16 or a GPU the batch wins the comparison and
/// stays. Each sequence count starts batched, is tried split after its first window of steps, and is checked again
/// every <see cref="WindowsBetweenProbes"/> windows (sooner after a change), so a change of load is followed; each
/// thread count decides for itself. Not thread-safe: the engine's worker thread owns it.
/// </remarks>
internal sealed class BatchSplitTuner
{
    internal const int WindowSteps = 6;
    internal const double WindowSeconds = 0.05;
    internal const int WindowsBetweenProbes = 15;
    // The other way must win clearly, so that noise does not flip the choice back and forth.
    private const double Gain = 0.9;

    private readonly Dictionary<(int Threads, int Sequences), Choice> _choices = [];
    private readonly bool? _fixed;

    /// <summary>Times both ways, or with <paramref name="split"/> set always decodes that way.</summary>
    public BatchSplitTuner(bool? split = null) => _fixed = split;

    /// <summary>
    /// How the next step of <paramref name="sequences"/> one-token sequences on <paramref name="threads"/> threads
    /// decodes them: <c>Split</c> for one call per sequence; <c>Probe</c> while it tries the way not chosen.
    /// </summary>
    public (bool Split, bool Probe) Plan(int sequences, int threads)
    {
        if (sequences < 2 || _fixed is not null)
        {
            return (sequences >= 2 && _fixed == true, false);
        }

        Choice choice = ChoiceFor(sequences, threads);
        return (choice.Trying != choice.Split, choice.Trying);
    }

    /// <summary>
    /// Records a generation step, decoded as <see cref="Plan"/> said, that took <paramref name="seconds"/> (decoding and
    /// sampling).
    /// </summary>
    public void Record(int sequences, int threads, double seconds)
    {
        if (sequences >= 2 && _fixed is null)
        {
            ChoiceFor(sequences, threads).Record(seconds);
        }
    }

    // Each thread count has its own: what each way costs depends on it.
    private Choice ChoiceFor(int sequences, int threads)
    {
        if (!_choices.TryGetValue((threads, sequences), out Choice? choice))
        {
            _choices[(threads, sequences)] = choice = new Choice();
        }

        return choice;
    }

    private sealed class Choice
    {
        private StepWindow _current = NewWindow();
        private StepWindow _probe = NewWindow();
        private int _windowsLeft;

        /// <summary>The chosen way: one call per sequence.</summary>
        public bool Split { get; private set; }

        /// <summary>Whether this window tries the other way.</summary>
        public bool Trying { get; private set; }

        public void Record(double seconds)
        {
            if (!Trying)
            {
                if (_current.Add(seconds))
                {
                    if (_windowsLeft-- <= 0)
                    {
                        Trying = true;
                    }
                    else
                    {
                        _current = NewWindow();
                    }
                }

                return;
            }

            if (!_probe.Add(seconds))
            {
                return;
            }

            bool better = _probe.Mean < _current.Mean * Gain;
            if (better)
            {
                Split = !Split;
            }

            // A change is checked again soon, so a lucky window does not decide for long.
            _windowsLeft = better ? 1 : WindowsBetweenProbes;
            Trying = false;
            _current = NewWindow();
            _probe = NewWindow();
        }
    }

    private static StepWindow NewWindow() => new(WindowSteps, WindowSeconds);
}
