namespace OffGrid.Speech.Transcription;

/// <summary>The requested transcription model is unknown, or is not a Whisper model (code <c>model_not_found</c>).</summary>
public sealed class UnknownSpeechModelException : SpeechRequestException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">Which model was asked for and what would work.</param>
    /// <param name="innerException">The store's error, when there is one.</param>
    public UnknownSpeechModelException(string message, Exception? innerException = null)
        : base("model_not_found", message, "model", innerException)
    {
    }
}
