namespace OffGrid.Hub.Downloads;

/// <summary>
/// Thrown when downloaded data does not match what was expected (digest or size). The partial file has been
/// deleted, so the next attempt starts from scratch.
/// </summary>
public sealed class DownloadIntegrityException : Exception
{
    /// <summary>Initializes a new instance with a default message.</summary>
    public DownloadIntegrityException()
        : base("The downloaded file does not match the expected content.")
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">What did not match.</param>
    public DownloadIntegrityException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and the underlying cause.</summary>
    /// <param name="message">What did not match.</param>
    /// <param name="innerException">The underlying cause.</param>
    public DownloadIntegrityException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
