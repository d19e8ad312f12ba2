using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace OffGrid.Agents;

/// <summary>
/// The <c>OffGrid.Agents</c> activity source and meter: tool calls by kind and outcome, MCP server starts, agent runs by
/// mode and outcome with their duration, and (from Microsoft Agent Framework's <c>OpenTelemetryAgent</c>, under the same
/// name) an <c>invoke_agent</c> span per agent turn.
/// </summary>
public static class AgentsTelemetry
{
    /// <summary>The name of the activity source and the meter.</summary>
    public const string Name = "OffGrid.Agents";

    internal static readonly ActivitySource ActivitySource = new(Name);

    private static readonly Meter s_meter = new(Name);

    internal static readonly Counter<long> ToolCalls = s_meter.CreateCounter<long>("offgrid.agents.tool.calls", "{call}", "Tool calls, by tool kind and outcome.");

    internal static readonly Histogram<double> ToolCallDuration = s_meter.CreateHistogram<double>("offgrid.agents.tool.duration", "s", "Duration of tool calls.");

    internal static readonly Counter<long> McpServerStarts = s_meter.CreateCounter<long>("offgrid.agents.mcp.starts", "{start}", "MCP server starts, by outcome (started, restarted, failed).");

    internal static readonly Counter<long> Runs = s_meter.CreateCounter<long>("offgrid.agents.runs", "{run}", "Agent runs that ended, by mode and status (completed, failed, cancelled, budget_exceeded, interrupted).");

    internal static readonly Histogram<double> RunDuration = s_meter.CreateHistogram<double>("offgrid.agents.run.duration", "s", "Wall time of agent runs, from start (or resume) to end.");

    /// <summary>Records one ended run (or resumed part of a run).</summary>
    internal static void RecordRun(string mode, string status, TimeSpan duration)
    {
        var tags = new TagList { { "offgrid.agent.mode", mode }, { "offgrid.agent.status", status } };
        Runs.Add(1, tags);
        RunDuration.Record(duration.TotalSeconds, tags);
    }

    /// <summary>Records one finished tool call.</summary>
    internal static void RecordCall(ToolSetKind kind, string outcome, TimeSpan duration)
    {
        var tags = new TagList { { "offgrid.tool.kind", kind.ToString().ToLowerInvariant() }, { "offgrid.tool.outcome", outcome } };
        ToolCalls.Add(1, tags);
        ToolCallDuration.Record(duration.TotalSeconds, tags);
    }
}
