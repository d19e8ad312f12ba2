namespace OffGrid.Hub.Store;

/// <summary>
/// A name the store does not take (see <see cref="ModelNames"/>): a model a file import, a package, a LAN peer or the Hub
/// would add under it is refused before any file is copied. The message names the name and what is wrong with it.
/// </summary>
public sealed class InvalidModelNameException : Exception
{
    /// <summary>Initializes a new instance with a default message.</summary>
    public InvalidModelNameException()
        : base("The model name is not one the store takes.")
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">What is wrong with the name.</param>
    public InvalidModelNameException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and the cause.</summary>
    /// <param name="message">What is wrong with the name.</param>
    /// <param name="innerException">The cause.</param>
    public InvalidModelNameException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
