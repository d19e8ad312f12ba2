using System.Collections.Concurrent;
using OffGrid.Agents.Orchestration;
using OffGrid.Agents.Runs;

namespace OffGrid.Agents.Tests.Orchestration;

public sealed class AgentOrchestrationTests
{
    [Fact]
    public void TheMajorityWinsWithAnswersComparedLoosely()
    {
        var (answer, agent, votes) = AgentOrchestration.Tally([("a", "Lyon"), ("b", "Paris."), ("c", " paris"), ("d", "Lyon")]);
        Assert.Equal(("Lyon", "a", 2), (answer, agent, votes));

        (answer, agent, votes) = AgentOrchestration.Tally([("a", "Lyon"), ("b", "Paris."), ("c", " PARIS ")]);
        Assert.Equal(("Paris.", "b", 2), (answer, agent, votes));
    }

    [Fact]
    public void ATieGoesToTheAnswerWhoseFirstGiverIsListedFirst()
    {
        Assert.Equal(("1", "a", 2), AgentOrchestration.Tally([("a", "1"), ("b", "2"), ("c", "2"), ("d", "1"), ("e", "3")]));
        Assert.Equal(("2", "b", 2), AgentOrchestration.Tally([("a", "3"), ("b", "2"), ("c", "1"), ("d", "1"), ("e", "2")]));
        Assert.Equal(("3", "a", 1), AgentOrchestration.Tally([("a", "3"), ("b", "2"), ("c", "1")]));
    }

    [Fact]
    public void APlanIsSplitIntoSubtasksWithoutListMarkers()
    {
        Assert.Equal(["find the facts", "write it up", "check it"], AgentOrchestration.Subtasks("1. find the facts\n\n- write it up\n2) check it\n"));
    }

    [Fact]
    public async Task AHierarchyGivesEveryWorkerATurnWhenThePlanNamesFewerSubtasks()
    {
        // The planner's answer is its model's free text; here it is one line for three workers.
        var prompts = new ConcurrentDictionary<int, (string Agent, string Prompt)>();
        Task<string> Turn(int turn, string agent, string prompt, CancellationToken cancellationToken)
        {
            prompts[turn] = (agent, prompt);
            return Task.FromResult(turn == 0 ? "1. buy the food" : $"done by {agent}");
        }

        (string answer, string lead) = await AgentOrchestration.RunAsync(
            new AgentRunRequest { Task = "Plan a picnic", Agents = ["analyst", "creative", "coder", "researcher"], Mode = AgentRunMode.Hierarchy },
            Turn, TestContext.Current.CancellationToken);

        Assert.Equal(("done by analyst", "analyst"), (answer, lead));
        Assert.Equal(["analyst", "creative", "coder", "researcher", "analyst"], prompts.OrderBy(p => p.Key).Select(p => p.Value.Agent));
        Assert.EndsWith("Your subtask: buy the food", prompts[1].Prompt, StringComparison.Ordinal);
        Assert.Contains("do the whole task", prompts[2].Prompt, StringComparison.Ordinal);
        Assert.Contains("do the whole task", prompts[3].Prompt, StringComparison.Ordinal);
        Assert.Contains("[researcher]: done by researcher", prompts[4].Prompt, StringComparison.Ordinal);
    }
}
