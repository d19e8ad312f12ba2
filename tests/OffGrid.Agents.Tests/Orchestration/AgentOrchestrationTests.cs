using OffGrid.Agents.Orchestration;

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
}
