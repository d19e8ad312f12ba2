using System.Diagnostics;
using OffGrid.Agents.Runs;

namespace OffGrid.Agents.Tests.Runs;

/// <summary>Who executes a running run, checked against real processes: alive, killed, a reused id, another host.</summary>
public sealed class AgentRunOwnerTests
{
    [Fact]
    public async Task AnOwnerIsAliveWhileItsProcessRunsAndNotOnceItIsKilledOrItsIdIsReused()
    {
        using Process sleeper = Process.Start("sleep", "60");
        try
        {
            var owner = new AgentRunOwner(AgentRunOwner.Current.Host, sleeper.Id, sleeper.StartTime.ToUniversalTime().Ticks);
            Assert.True(owner.IsAlive("run_a"));
            // Same id, another start time: the id was reused by a process that does not run the run.
            Assert.False((owner with { StartedTicks = owner.StartedTicks - TimeSpan.TicksPerHour }).IsAlive("run_a"));

            sleeper.Kill();
            await sleeper.WaitForExitAsync(TestContext.Current.CancellationToken);
            Assert.False(owner.IsAlive("run_a"));
        }
        finally
        {
            if (!sleeper.HasExited)
            {
                sleeper.Kill();
            }
        }
    }

    [Fact]
    public void ThisProcessOwnsOnlyTheRunsItExecutesAndAnotherHostsRunLivesUntilItsBudgetEnds()
    {
        AgentRunOwner self = AgentRunOwner.ForRun(60);
        Assert.False(self.IsAlive("run_owner_test"));
        AgentRunOwner.Executing("run_owner_test");
        Assert.True(self.IsAlive("run_owner_test"));
        AgentRunOwner.Stopped("run_owner_test");
        Assert.False(self.IsAlive("run_owner_test"));

        var elsewhere = new AgentRunOwner("another-host", 1, 0);
        Assert.True((elsewhere with { Until = DateTimeOffset.UtcNow.AddMinutes(1) }).IsAlive("run_b"));
        Assert.False((elsewhere with { Until = DateTimeOffset.UtcNow.AddMinutes(-1) }).IsAlive("run_b"));
    }
}
