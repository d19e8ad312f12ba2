namespace OffGrid.Inference.Templates;

/// <summary>
/// A chat template could not be parsed or rendered: a syntax error, an unsupported construct, or a runtime error such as
/// calling a method on an undefined value.
/// </summary>
/// <remarks>
/// Callers usually fall back to another prompt format when they see this exception. The derived
/// <see cref="ChatTemplateRaisedException"/> means the template itself rejected the conversation, which no other
/// format will fix.
/// </remarks>
public class ChatTemplateException : Exception
{
    /// <summary>Creates an exception with a message and no source location.</summary>
    /// <param name="message">What went wrong.</param>
    public ChatTemplateException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception that wraps another one.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The error that caused this one.</param>
    public ChatTemplateException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception located at <paramref name="line"/> of the template source.</summary>
    /// <param name="message">What went wrong, without the location.</param>
    /// <param name="line">The 1-based template line where it went wrong.</param>
    public ChatTemplateException(string message, int line)
        : base($"Chat template error at line {line}: {message}")
    {
        Line = line;
        Reason = message;
    }

    /// <summary>Creates an exception with no message.</summary>
    public ChatTemplateException()
    {
    }

    /// <summary>The 1-based template line where the error was found, when known.</summary>
    public int? Line { get; }

    /// <summary>What went wrong, without the location prefix that <see cref="Exception.Message"/> carries.</summary>
    public string Reason
    {
        get => field ?? Message;
        private init;
    }
}
