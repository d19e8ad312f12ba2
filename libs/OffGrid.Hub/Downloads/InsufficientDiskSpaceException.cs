namespace OffGrid.Hub.Downloads;

/// <summary>Thrown before a download starts (or grows a file) when the disk cannot hold it.</summary>
public sealed class InsufficientDiskSpaceException : IOException
{
    /// <summary>Initializes a new instance with a default message.</summary>
    public InsufficientDiskSpaceException()
        : base("Not enough disk space.")
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">How much space is needed and available.</param>
    public InsufficientDiskSpaceException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and the underlying cause.</summary>
    /// <param name="message">How much space is needed and available.</param>
    /// <param name="innerException">The underlying cause.</param>
    public InsufficientDiskSpaceException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
