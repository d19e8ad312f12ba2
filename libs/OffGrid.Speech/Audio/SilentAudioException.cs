namespace OffGrid.Speech.Audio;

/// <summary>The audio holds nothing but silence, so there is no speech to transcribe (code <c>silent_audio</c>).</summary>
public sealed class SilentAudioException : SpeechRequestException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="duration">The length of the silent audio.</param>
    public SilentAudioException(TimeSpan duration)
        : base("silent_audio", $"The audio ({duration.TotalSeconds:0.##} s) is silent: no sample rises above the silence threshold.", "file")
    {
        Duration = duration;
    }

    /// <summary>Gets the length of the silent audio.</summary>
    public TimeSpan Duration { get; }
}
