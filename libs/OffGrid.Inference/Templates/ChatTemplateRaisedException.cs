namespace OffGrid.Inference.Templates;

/// <summary>
/// The template called <c>raise_exception(message)</c>: it rejects the conversation it was given (for example a system
/// message or tools the model does not support). <see cref="ChatTemplateException.Reason"/> holds the template's message.
/// </summary>
public sealed class ChatTemplateRaisedException : ChatTemplateException
{
    /// <summary>Creates the exception for a message raised by the template at <paramref name="line"/>.</summary>
    /// <param name="message">The message the template passed to <c>raise_exception</c>.</param>
    /// <param name="line">The 1-based template line of the statement that raised it.</param>
    public ChatTemplateRaisedException(string message, int line)
        : base(message, line)
    {
    }

    /// <summary>Creates the exception without a location.</summary>
    /// <param name="message">The message the template passed to <c>raise_exception</c>.</param>
    public ChatTemplateRaisedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with no message.</summary>
    public ChatTemplateRaisedException()
    {
    }

    /// <summary>Creates the exception wrapping another one.</summary>
    /// <param name="message">The message the template passed to <c>raise_exception</c>.</param>
    /// <param name="innerException">The error that caused this one.</param>
    public ChatTemplateRaisedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
