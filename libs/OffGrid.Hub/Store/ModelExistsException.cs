namespace OffGrid.Hub.Store;

/// <summary>
/// The store already holds a model under the name a writer asked to be new (<see cref="ModelStore.ImportNewAsync"/>), for
/// example because another process stored it first; nothing was changed.
/// </summary>
public sealed class ModelExistsException : Exception
{
    /// <summary>Initializes a new instance with a default message.</summary>
    public ModelExistsException()
        : base("The store already holds a model under that name.")
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">Names the model.</param>
    public ModelExistsException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and the cause.</summary>
    /// <param name="message">Names the model.</param>
    /// <param name="innerException">The cause.</param>
    public ModelExistsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
