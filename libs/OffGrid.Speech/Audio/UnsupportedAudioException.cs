namespace OffGrid.Speech.Audio;

/// <summary>The audio is in a container or codec OffGrid cannot decode on this machine (code <c>unsupported_audio</c>).</summary>
public sealed class UnsupportedAudioException : SpeechRequestException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">What was found and which formats are accepted.</param>
    /// <param name="innerException">The decoder error, when there is one.</param>
    public UnsupportedAudioException(string message, Exception? innerException = null)
        : base("unsupported_audio", message, "file", innerException)
    {
    }
}
