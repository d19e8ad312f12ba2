namespace OffGrid.Speech.Audio;

/// <summary>The audio lasts longer than the configured limit (code <c>audio_too_long</c>).</summary>
public sealed class AudioTooLongException : SpeechRequestException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="limit">The longest audio accepted.</param>
    public AudioTooLongException(TimeSpan limit)
        : base("audio_too_long", $"The audio is longer than the limit of {limit.TotalSeconds:0.#} s; split it or raise the limit (MaxAudioDuration).", "file")
    {
        Limit = limit;
    }

    /// <summary>Gets the longest audio accepted.</summary>
    public TimeSpan Limit { get; }
}
