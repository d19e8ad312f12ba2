namespace OffGrid.Hub.Gguf;

/// <summary>Thrown when a file is not a readable GGUF file: wrong magic, unsupported version, truncated or corrupt.</summary>
public sealed class GgufFormatException : Exception
{
    /// <summary>Initializes a new instance with a default message.</summary>
    public GgufFormatException()
        : base("The data is not a valid GGUF file.")
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">What is wrong with the file.</param>
    public GgufFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and the underlying cause.</summary>
    /// <param name="message">What is wrong with the file.</param>
    /// <param name="innerException">The underlying cause.</param>
    public GgufFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
