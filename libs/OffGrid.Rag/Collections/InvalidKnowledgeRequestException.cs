namespace OffGrid.Rag.Collections;

/// <summary>A collection definition, search or ingestion request has an invalid value; <see cref="ParamName"/> names the field.</summary>
public sealed class InvalidKnowledgeRequestException : KnowledgeException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="paramName">The field at fault (snake_case, as the HTTP API names it), if one is.</param>
    public InvalidKnowledgeRequestException(string message, string? paramName = null)
        : base(message)
    {
        ParamName = paramName;
    }

    /// <summary>Gets the field at fault, if one is.</summary>
    public string? ParamName { get; }
}
