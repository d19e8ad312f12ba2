using System.Text.Json.Serialization;

namespace OffGrid.AspNetCore.Agents;

/// <summary>The body of <c>POST /v1/agents/runs</c> and <c>POST /v1/agents/runs/{id}/resume</c> (snake_case); an unknown field is a 400.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class AgentRunBody
{
    /// <summary>The model to run on (any name the server resolves).</summary>
    public string? Model { get; set; }

    /// <summary>The task.</summary>
    public string? Task { get; set; }

    /// <summary>One agent (template name), for mode <c>single</c>.</summary>
    public string? Agent { get; set; }

    /// <summary>The agents, in order, for the orchestration modes.</summary>
    public List<string>? Agents { get; set; }

    /// <summary><c>single</c>, <c>sequential</c>, <c>parallel</c>, <c>debate</c>, <c>voting</c> or <c>hierarchy</c>.</summary>
    public string? Mode { get; set; }

    /// <summary>The aggregator, judge or planner; defaults to the first agent.</summary>
    public string? Lead { get; set; }

    /// <summary>The most tokens one model call may write, over the templates' own.</summary>
    public int? MaxTokens { get; set; }

    /// <summary>Debate rounds.</summary>
    public int? Rounds { get; set; }

    /// <summary>Whether to answer with the run's steps as server-sent events until it stops.</summary>
    public bool Stream { get; set; }
}
