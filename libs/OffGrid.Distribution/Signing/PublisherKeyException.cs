namespace OffGrid.Distribution.Signing;

/// <summary>
/// Thrown for a publisher key a user supplied or asked for that cannot be used: malformed key text, no key generated
/// yet, an unknown or ambiguous key id, or trusting a revoked key.
/// </summary>
public sealed class PublisherKeyException : Exception
{
    /// <summary>Initializes a new instance with a default message.</summary>
    public PublisherKeyException()
        : base("The publisher key cannot be used.")
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">What is wrong and what to do.</param>
    public PublisherKeyException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and the underlying cause.</summary>
    /// <param name="message">What is wrong and what to do.</param>
    /// <param name="innerException">The underlying cause.</param>
    public PublisherKeyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
