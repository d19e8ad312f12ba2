using OffGrid.AspNetCore.Hosting;

namespace OffGrid.AspNetCore.Tests.Hosting;

/// <summary>The model worker's restart backoff: doubling while workers die young, starting over after a healthy run.</summary>
public sealed class RestartBackoffTests
{
    [Fact]
    public void DoublesUpToTenSecondsAndStartsOverAfterAWorkerServedThirtySeconds()
    {
        var backoff = new RestartBackoff();
        TimeSpan young = TimeSpan.FromSeconds(10); // the trial's worker served for about 10 s before each kill

        double[] waits = [.. Enumerable.Range(0, 8).Select(_ => backoff.Next(young).TotalMilliseconds)];

        Assert.Equal([250, 500, 1000, 2000, 4000, 8000, 10000, 10000], waits);
        Assert.Equal(250, backoff.Next(TimeSpan.FromSeconds(31)).TotalMilliseconds);
        Assert.Equal(500, backoff.Next(young).TotalMilliseconds);
    }
}
