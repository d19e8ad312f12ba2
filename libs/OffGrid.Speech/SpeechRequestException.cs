namespace OffGrid.Speech;

/// <summary>
/// A speech request the caller can correct: audio that cannot be read, is silent or too long, an unknown voice or
/// language, an output format this machine cannot write. Hosts map it (and only it) to a client error.
/// </summary>
/// <remarks>Each subclass names one cause; <see cref="Code"/> is a stable machine-readable name for it.</remarks>
public abstract class SpeechRequestException : Exception
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="code">The stable error code, for example <c>unsupported_audio</c>.</param>
    /// <param name="message">A sentence that says what is wrong and how to fix it.</param>
    /// <param name="parameter">The request parameter at fault (<c>file</c>, <c>voice</c>, <c>language</c>…), when one is.</param>
    /// <param name="innerException">The decoder or engine error behind it, when there is one.</param>
    protected SpeechRequestException(string code, string message, string? parameter = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Code = code;
        Parameter = parameter;
    }

    /// <summary>Gets the stable error code, snake_case.</summary>
    public string Code { get; }

    /// <summary>Gets the request parameter at fault, when one is.</summary>
    public string? Parameter { get; }
}
