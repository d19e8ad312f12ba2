namespace OffGrid.Rag;

/// <summary>
/// The base of the errors OffGrid.Rag reports about a request rather than about itself: an unknown collection, a name
/// in use, content it cannot read. Hosts map each subtype to a client error (404, 409, 415, 400).
/// </summary>
public abstract class KnowledgeException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong, in a sentence a user can act on.</param>
    /// <param name="innerException">The cause, if any.</param>
    protected KnowledgeException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
