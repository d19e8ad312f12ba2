using OffGrid.Inference.Engine;

namespace OffGrid.Inference.Tests.Engine;

public sealed class ThreadTunerTests
{
    [Fact]
    public void DropsAThreadWhenFewerMakeStepsShorter()
    {
        // Another process holds one core: two threads wait on each other at every barrier.
        var tuner = new ThreadTuner(initial: 2, max: 2);
        Run(tuner, steps: 4 * ThreadTuner.ProbeEvery, threads => threads == 2 ? 0.004 : 0.0005);
        Assert.Equal(1, tuner.Threads);
    }

    [Fact]
    public void AddsAThreadOnlyForAClearGain()
    {
        var slightly = new ThreadTuner(initial: 1, max: 2);
        Run(slightly, steps: 4 * ThreadTuner.ProbeEvery, threads => threads == 2 ? 0.0009 : 0.001);
        Assert.Equal(1, slightly.Threads);

        var clearly = new ThreadTuner(initial: 1, max: 2);
        Run(clearly, steps: 4 * ThreadTuner.ProbeEvery, threads => threads == 2 ? 0.0006 : 0.001);
        Assert.Equal(2, clearly.Threads);
    }

    [Fact]
    public void ProbesNeverLeaveTheRangeAndReturnToTheChosenCount()
    {
        var tuner = new ThreadTuner(initial: 3, max: 4);
        var seen = new HashSet<int>();
        Run(tuner, steps: 8 * ThreadTuner.ProbeEvery, threads =>
        {
            seen.Add(threads);
            return 0.001;
        });
        Assert.Equal([2, 3, 4], seen.Order());
        Assert.Equal(3, tuner.Threads);
    }

    [Fact]
    public void InitialCountIsWithinTheCores() =>
        Assert.InRange(ThreadTuner.Initial(Environment.ProcessorCount), 1, Environment.ProcessorCount);

    private static void Run(ThreadTuner tuner, int steps, Func<int, double> stepSeconds)
    {
        for (int i = 0; i < steps; i++)
        {
            tuner.Record(batchSize: 1, stepSeconds(tuner.Threads));
        }
    }
}
