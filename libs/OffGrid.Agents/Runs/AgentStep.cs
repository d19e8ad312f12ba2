using System.Text.Json;

namespace OffGrid.Agents.Runs;

/// <summary>
/// One event of a run's transcript, in order: who (<see cref="Agent"/>) did what (<see cref="Kind"/>) in which turn.
/// A turn is one agent answering one prompt; orchestration modes number their turns in a fixed order, so a resumed run
/// meets the same turn numbers again.
/// </summary>
/// <remarks>Immutable; safe to share between threads.</remarks>
public sealed record AgentStep
{
    /// <summary>Gets the step's position in the run, from 1.</summary>
    public long Sequence { get; init; }

    /// <summary>Gets what the step is.</summary>
    public required AgentStepKind Kind { get; init; }

    /// <summary>Gets the template name of the agent that took the step.</summary>
    public required string Agent { get; init; }

    /// <summary>Gets the turn the step belongs to, from 0.</summary>
    public int Turn { get; init; }

    /// <summary>Gets the text: reasoning, a message, a tool's result or the final answer.</summary>
    public string? Text { get; init; }

    /// <summary>Gets the tool called, for tool calls and results.</summary>
    public string? Tool { get; init; }

    /// <summary>Gets the call's id, pairing a result with its call.</summary>
    public string? CallId { get; init; }

    /// <summary>Gets a tool call's arguments (a JSON object).</summary>
    public JsonElement? Arguments { get; init; }

    /// <summary>Gets the prompt tokens spent: the turn's for a message, the run's for the final answer.</summary>
    public long? InputTokens { get; init; }

    /// <summary>Gets the output tokens spent: the turn's for a message, the run's for the final answer.</summary>
    public long? OutputTokens { get; init; }

    /// <summary>Gets when the step happened.</summary>
    public DateTimeOffset At { get; init; }
}
