namespace OffGrid.Distribution.Peers;

/// <summary>
/// Thrown when peer-to-peer work cannot be done: no network secret, a peer that is unknown, unreachable or does not
/// share with this network, or a model no peer shares.
/// </summary>
public sealed class PeerException : Exception
{
    /// <summary>Initializes a new instance with a default message.</summary>
    public PeerException()
        : this(PeerProblem.Unreachable, "The peer request failed.")
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">What is wrong and what to do.</param>
    public PeerException(string message)
        : this(PeerProblem.Unreachable, message)
    {
    }

    /// <summary>Initializes a new instance with a message and the underlying cause.</summary>
    /// <param name="message">What is wrong and what to do.</param>
    /// <param name="innerException">The underlying cause.</param>
    public PeerException(string message, Exception innerException)
        : this(PeerProblem.Unreachable, message, innerException)
    {
    }

    /// <summary>Initializes a new instance for a problem.</summary>
    /// <param name="problem">Why the work could not be done.</param>
    /// <param name="message">What is wrong and what to do.</param>
    /// <param name="innerException">The underlying cause, if any.</param>
    public PeerException(PeerProblem problem, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Problem = problem;
    }

    /// <summary>Gets why the work could not be done.</summary>
    public PeerProblem Problem { get; }
}
