namespace OffGrid.Agents.Runs;

/// <summary>What a step of a run is.</summary>
public enum AgentStepKind
{
    /// <summary>The model's reasoning text before it answered or called a tool.</summary>
    Thinking,

    /// <summary>The model asked for a tool call (<see cref="AgentStep.Tool"/>, <see cref="AgentStep.Arguments"/>).</summary>
    ToolCall,

    /// <summary>A tool call's result went back to the model.</summary>
    ToolResult,

    /// <summary>An agent's whole answer for one turn: the checkpoint a resumed run replays instead of asking the model again.</summary>
    Message,

    /// <summary>The run's final answer, with the run's token usage.</summary>
    Final,
}
