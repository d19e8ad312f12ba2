using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace OffGrid.Agents;

/// <summary>The <c>OffGrid.Agents</c> activity source and meter: tool calls by kind and outcome, and MCP server starts.</summary>
public static class AgentsTelemetry
{
    /// <summary>The name of the activity source and the meter.</summary>
    public const string Name = "OffGrid.Agents";

    internal static readonly ActivitySource ActivitySource = new(Name);

    private static readonly Meter s_meter = new(Name);

    internal static readonly Counter<long> ToolCalls = s_meter.CreateCounter<long>("offgrid.agents.tool.calls", "{call}", "Tool calls, by tool kind and outcome.");

    internal static readonly Histogram<double> ToolCallDuration = s_meter.CreateHistogram<double>("offgrid.agents.tool.duration", "s", "Duration of tool calls.");

    internal static readonly Counter<long> McpServerStarts = s_meter.CreateCounter<long>("offgrid.agents.mcp.starts", "{start}", "MCP server starts, by outcome (started, restarted, failed).");

    /// <summary>Records one finished tool call.</summary>
    internal static void RecordCall(ToolSetKind kind, string outcome, TimeSpan duration)
    {
        var tags = new TagList { { "offgrid.tool.kind", kind.ToString().ToLowerInvariant() }, { "offgrid.tool.outcome", outcome } };
        ToolCalls.Add(1, tags);
        ToolCallDuration.Record(duration.TotalSeconds, tags);
    }
}
