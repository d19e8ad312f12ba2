namespace OffGrid.Speech.Transcription;

/// <summary>The model does not know the requested speech language, or cannot produce the requested text language (code <c>unsupported_language</c>).</summary>
public sealed class UnsupportedLanguageException : SpeechRequestException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">Which language was asked for and what is possible.</param>
    public UnsupportedLanguageException(string message)
        : base("unsupported_language", message, "language")
    {
    }
}
