namespace OffGrid.Speech.Synthesis;

/// <summary>No installed voice has the requested id, or speaks the requested language (code <c>unknown_voice</c>).</summary>
public sealed class UnknownVoiceException : SpeechRequestException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">What was asked for and how to list the voices.</param>
    /// <param name="parameter">The parameter at fault: <c>voice</c> or <c>language</c>.</param>
    public UnknownVoiceException(string message, string parameter = "voice")
        : base("unknown_voice", message, parameter)
    {
    }
}
