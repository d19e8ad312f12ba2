using OffGrid.Inference.Engine;

namespace OffGrid.Inference.Tests.Engine;

public sealed class ThreadTunerTests
{
    [Fact]
    public void DropsAThreadWhenFewerMakeStepsShorter()
    {
        // Another process holds one core: two threads wait on each other at every barrier.
        var tuner = new ThreadTuner(initial: 2, max: 2);
        Run(tuner, cycles: 4, threads => threads == 2 ? 0.004 : 0.0005);
        Assert.Equal(1, tuner.Threads);
    }

    [Fact]
    public void AddsAThreadOnlyForAClearGain()
    {
        var slightly = new ThreadTuner(initial: 1, max: 2);
        Run(slightly, cycles: 4, threads => threads == 2 ? 0.0009 : 0.001);
        Assert.Equal(1, slightly.Threads);

        var clearly = new ThreadTuner(initial: 1, max: 2);
        Run(clearly, cycles: 4, threads => threads == 2 ? 0.0006 : 0.001);
        Assert.Equal(2, clearly.Threads);
    }

    [Fact]
    public void RareLongStallsCountAgainstMoreThreads()
    {
        // Measured on 2 cores with another process spinning: two threads made most steps shorter than one thread,
        // but every few steps lost a scheduler time slice, and tokens/s halved.
        var tuner = new ThreadTuner(initial: 1, max: 2);
        int step = 0;
        Run(tuner, cycles: 4, threads => threads == 1 ? 0.00025 : ++step % 10 == 0 ? 0.005 : 0.0001);
        Assert.Equal(1, tuner.Threads);
    }

    [Fact]
    public void ProbesNeverLeaveTheRangeAndReturnToTheChosenCount()
    {
        var tuner = new ThreadTuner(initial: 3, max: 4);
        var seen = new HashSet<int>();
        Run(tuner, cycles: 8, threads =>
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

    // Runs whole probe cycles (the wait between probes, the window before the probe, the probe) and stops halfway
    // through the next wait, so that the tuner is back at its chosen count.
    private static void Run(ThreadTuner tuner, int cycles, Func<int, double> stepSeconds)
    {
        double seconds = (cycles + 0.5) * (ThreadTuner.WindowsBetweenProbes + 2) * ThreadTuner.WindowSeconds;
        for (double elapsed = 0; elapsed < seconds;)
        {
            double step = stepSeconds(tuner.Threads);
            tuner.Record(shape: 1, step);
            elapsed += step;
        }
    }
}
