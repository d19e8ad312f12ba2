namespace OffGrid.Agents.Templates;

/// <summary>Whether the model may, must or must not call the agent's tools on its first step.</summary>
public enum AgentToolMode
{
    /// <summary>The model decides.</summary>
    Auto,

    /// <summary>The first step must call a tool (later steps are free, so the agent can answer); small local models follow it reliably.</summary>
    Required,

    /// <summary>No tool calls.</summary>
    None,
}
