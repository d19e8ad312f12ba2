namespace OffGrid.Inference.Remote;

/// <summary>
/// A remote backend (or every backend of a pool) could not serve a request. The message names the backend and says what
/// happened; <see cref="Failure"/> says which kind of failure it was, so that a host answers 502, 503 or 504.
/// </summary>
/// <remarks>A request the backend rejected as invalid (HTTP 400, 413, 422) is an <see cref="InvalidRequestException"/> instead: it is the client's fault.</remarks>
public sealed class BackendUnavailableException : Exception
{
    /// <summary>Initializes a new instance with a default message.</summary>
    public BackendUnavailableException()
        : base("The remote backend is unavailable.")
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">What happened, naming the backend.</param>
    public BackendUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and the cause.</summary>
    /// <param name="message">What happened, naming the backend.</param>
    /// <param name="innerException">The cause.</param>
    public BackendUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance for a backend.</summary>
    /// <param name="backend">The backend's name (for a pool, the names of the backends tried, comma-separated).</param>
    /// <param name="failure">What kind of failure it was.</param>
    /// <param name="message">What happened, naming the backend.</param>
    /// <param name="innerException">The cause, when there is one.</param>
    public BackendUnavailableException(string backend, BackendFailure failure, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Backend = backend;
        Failure = failure;
    }

    /// <summary>Gets the backend's name (for a pool, the names of the backends tried, comma-separated).</summary>
    public string? Backend { get; }

    /// <summary>Gets what kind of failure it was.</summary>
    public BackendFailure Failure { get; } = BackendFailure.Unreachable;
}
