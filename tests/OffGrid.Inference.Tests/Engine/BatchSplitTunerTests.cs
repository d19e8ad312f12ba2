using OffGrid.Inference.Engine;

namespace OffGrid.Inference.Tests.Engine;

public sealed class BatchSplitTunerTests
{
    [Fact]
    public void SplitsWhenOneCallPerSequenceIsFaster()
    {
        // Q8_0 on a CPU: a 4-token batch cost 6 one-token steps in llama-batched-bench.
        var tuner = new BatchSplitTuner();
        Run(tuner, sequences: 4, threads: 1, cycles: 3, split => split ? 4 * 0.017 : 0.104);
        Assert.True(tuner.Plan(4, 1).Split);
    }

    [Fact]
    public void KeepsTheBatchWhenBatchingPays()
    {
        var tuner = new BatchSplitTuner();
        Run(tuner, sequences: 4, threads: 1, cycles: 3, split => split ? 4 * 0.003 : 0.006);
        Assert.False(tuner.Plan(4, 1).Split);
    }

    [Fact]
    public void NeedsAClearGainToChange()
    {
        var tuner = new BatchSplitTuner();
        Run(tuner, sequences: 2, threads: 1, cycles: 3, split => split ? 0.0095 : 0.01);
        Assert.False(tuner.Plan(2, 1).Split);
    }

    [Fact]
    public void FollowsAChangeOfCostBack()
    {
        var tuner = new BatchSplitTuner();
        Run(tuner, sequences: 3, threads: 1, cycles: 2, split => split ? 0.01 : 0.05);
        Assert.True(tuner.Plan(3, 1).Split);

        Run(tuner, sequences: 3, threads: 1, cycles: 2, split => split ? 0.05 : 0.01);
        Assert.False(tuner.Plan(3, 1).Split);
    }

    [Fact]
    public void EachThreadCountAndSequenceCountDecidesForItself()
    {
        var tuner = new BatchSplitTuner();
        Run(tuner, sequences: 4, threads: 1, cycles: 2, split => split ? 0.01 : 0.05);
        Run(tuner, sequences: 4, threads: 2, cycles: 2, split => split ? 0.05 : 0.01);

        Assert.True(tuner.Plan(4, 1).Split);
        Assert.False(tuner.Plan(4, 2).Split);
        Assert.Equal((false, false), tuner.Plan(8, 1));
    }

    [Fact]
    public void OneSequenceIsNeverSplitAndAFixedChoiceNeverProbes()
    {
        Assert.Equal((false, false), new BatchSplitTuner().Plan(1, 1));

        var always = new BatchSplitTuner(split: true);
        var never = new BatchSplitTuner(split: false);
        Run(always, sequences: 4, threads: 1, cycles: 2, split => split ? 0.05 : 0.01);
        Run(never, sequences: 4, threads: 1, cycles: 2, split => split ? 0.01 : 0.05);
        Assert.Equal((true, false), always.Plan(4, 1));
        Assert.Equal((false, false), never.Plan(4, 1));
        Assert.Equal((false, false), always.Plan(1, 1));
    }

    // Runs whole probe cycles (the wait, the window before the probe, the probe) and stops when the last probe ends, so
    // the plan is the tuner's choice, not a probe. A fixed choice never probes: it runs the step limit.
    private static void Run(BatchSplitTuner tuner, int sequences, int threads, int cycles, Func<bool, double> stepSeconds)
    {
        int probes = 0;
        bool wasProbing = false;
        for (int step = 0; step < 10_000; step++)
        {
            (bool split, bool probe) = tuner.Plan(sequences, threads);
            if (wasProbing && !probe && ++probes == cycles)
            {
                return;
            }

            wasProbing = probe;
            tuner.Record(sequences, threads, stepSeconds(split));
        }
    }
}
