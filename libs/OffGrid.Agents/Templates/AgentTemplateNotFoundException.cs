namespace OffGrid.Agents.Templates;

/// <summary>No built-in or user template has the name asked for.</summary>
public sealed class AgentTemplateNotFoundException : AgentException
{
    /// <summary>Initializes the exception.</summary>
    /// <param name="name">The unknown name.</param>
    /// <param name="known">The names that exist, for the message.</param>
    public AgentTemplateNotFoundException(string name, IEnumerable<string> known)
        : base($"No agent template named '{name}'. Known: {string.Join(", ", known)}.")
    {
        Name = name;
    }

    /// <summary>Gets the unknown name.</summary>
    public string Name { get; }
}
