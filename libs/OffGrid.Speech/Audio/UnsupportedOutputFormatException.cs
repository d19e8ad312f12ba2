namespace OffGrid.Speech.Audio;

/// <summary>The requested output format is unknown, or needs an encoder this machine lacks (code <c>unsupported_format</c>).</summary>
public sealed class UnsupportedOutputFormatException : SpeechRequestException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">Which format was asked for and which ones work here.</param>
    public UnsupportedOutputFormatException(string message)
        : base("unsupported_format", message, "response_format")
    {
    }
}
