namespace OffGrid.Inference;

/// <summary>
/// A request a client sent is not valid for the model or engine: a sampling value out of range, a schema OffGrid
/// cannot enforce, a context too small. Hosts answer it with HTTP 400 naming <see cref="ArgumentException.ParamName"/>;
/// any other <see cref="ArgumentException"/> is a bug, not the client's fault.
/// </summary>
/// <remarks>
/// <see cref="Message"/> is the sentence for the client alone: unlike <see cref="ArgumentException"/>, it does not end in
/// "(Parameter '…')", because APIs report the field separately (OpenAI's <c>param</c>).
/// </remarks>
public class InvalidRequestException : ArgumentException
{
    private readonly string? _message;

    /// <summary>Initializes a new instance.</summary>
    public InvalidRequestException()
    {
    }

    /// <summary>Initializes a new instance with a message for the client.</summary>
    /// <param name="message">What is wrong and what is allowed.</param>
    public InvalidRequestException(string? message)
        : base(message)
    {
        _message = message;
    }

    /// <summary>Initializes a new instance with a message and the request field at fault.</summary>
    /// <param name="message">What is wrong and what is allowed.</param>
    /// <param name="paramName">The request field or option at fault (OpenAI's <c>param</c>).</param>
    public InvalidRequestException(string? message, string? paramName)
        : base(message, paramName)
    {
        _message = message;
    }

    /// <summary>Initializes a new instance with a message, the request field at fault and the exception behind it.</summary>
    /// <param name="message">What is wrong and what is allowed.</param>
    /// <param name="paramName">The request field or option at fault (OpenAI's <c>param</c>).</param>
    /// <param name="innerException">The cause.</param>
    public InvalidRequestException(string? message, string? paramName, Exception? innerException)
        : base(message, paramName, innerException)
    {
        _message = message;
    }

    /// <summary>Initializes a new instance with a message and the exception behind it.</summary>
    /// <param name="message">What is wrong and what is allowed.</param>
    /// <param name="innerException">The cause.</param>
    public InvalidRequestException(string? message, Exception? innerException)
        : base(message, innerException)
    {
        _message = message;
    }

    /// <inheritdoc />
    public override string Message => _message ?? base.Message;
}
