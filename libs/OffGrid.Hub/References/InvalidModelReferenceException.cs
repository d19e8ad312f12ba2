namespace OffGrid.Hub.References;

/// <summary>
/// Text that names no model: empty parts, <c>..</c>, characters a Hugging Face name cannot have. The message says what
/// was wrong and the forms that work (<c>name[:quant]</c>, <c>owner/repo[:quant]</c>, <c>owner/repo/file.gguf</c>, a path).
/// </summary>
public sealed class InvalidModelReferenceException : FormatException
{
    /// <summary>Initializes a new instance with a default message.</summary>
    public InvalidModelReferenceException()
        : base("The text is not a model reference.")
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">What is wrong and which forms work.</param>
    public InvalidModelReferenceException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and the cause.</summary>
    /// <param name="message">What is wrong and which forms work.</param>
    /// <param name="innerException">The cause.</param>
    public InvalidModelReferenceException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
