namespace OffGrid.Speech.Audio;

/// <summary>The audio claims a known format but its data cannot be decoded, or holds no samples (code <c>corrupt_audio</c>).</summary>
public sealed class CorruptAudioException : SpeechRequestException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">What is wrong with the data.</param>
    /// <param name="innerException">The decoder error, when there is one.</param>
    public CorruptAudioException(string message, Exception? innerException = null)
        : base("corrupt_audio", message, "file", innerException)
    {
    }
}
