namespace OffGrid.Hub.References;

/// <summary>
/// A model name matches nothing on this machine: no configured name, no file in a model folder, no stored model, and
/// no usable file path. The message says what was tried and what to do (pull it, name a file, configure a folder).
/// </summary>
public sealed class ModelNotFoundException : Exception
{
    /// <summary>Initializes a new instance with a default message.</summary>
    public ModelNotFoundException()
        : base("The model is not on this machine.")
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">What was asked for and what to do.</param>
    public ModelNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and the cause.</summary>
    /// <param name="message">What was asked for and what to do.</param>
    /// <param name="innerException">The cause.</param>
    public ModelNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance for <paramref name="modelName"/>.</summary>
    /// <param name="modelName">The name as the user gave it.</param>
    /// <param name="message">What was tried and what to do.</param>
    /// <param name="canPull">Whether the name is a reference the Hub could download (alias, repository, repository file).</param>
    public ModelNotFoundException(string modelName, string message, bool canPull)
        : base(message)
    {
        ModelName = modelName;
        CanPull = canPull;
    }

    /// <summary>Gets the model name as the user gave it.</summary>
    public string? ModelName { get; }

    /// <summary>Gets whether the name is a reference the Hub could download (alias, <c>owner/repo[:quant]</c>, repository file).</summary>
    public bool CanPull { get; }
}
