namespace OffGrid.Speech.Synthesis;

/// <summary>Settings of <see cref="EspeakTextToSpeechClient"/>.</summary>
/// <remarks>Plain settings object; not thread-safe while being configured.</remarks>
public sealed class EspeakOptions
{
    /// <summary>Gets or sets the espeak-ng program; <c>espeak-ng</c> on the PATH when <see langword="null"/>.</summary>
    public string? ProgramPath { get; set; }

    /// <summary>Gets or sets the voice used when a request names neither voice nor language; default <c>en-us</c>.</summary>
    public string DefaultVoice { get; set; } = "en-us";

    /// <summary>Gets or sets the speaking rate at speed 1, in words per minute; default 175 (espeak-ng's own).</summary>
    public int WordsPerMinute { get; set; } = 175;

    /// <summary>Gets or sets the ffmpeg program used to write MP3, Opus, FLAC and AAC; <c>ffmpeg</c> on the PATH when <see langword="null"/>.</summary>
    public string? FfmpegPath { get; set; }
}
