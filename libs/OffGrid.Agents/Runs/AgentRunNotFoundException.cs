namespace OffGrid.Agents.Runs;

/// <summary>No run has the id asked for.</summary>
public sealed class AgentRunNotFoundException : AgentException
{
    /// <summary>Initializes the exception.</summary>
    /// <param name="id">The unknown id.</param>
    public AgentRunNotFoundException(string id)
        : base($"No agent run with id '{id}'.")
    {
        Id = id;
    }

    /// <summary>Gets the unknown id.</summary>
    public string Id { get; }
}
