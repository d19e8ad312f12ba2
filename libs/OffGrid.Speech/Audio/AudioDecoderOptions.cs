namespace OffGrid.Speech.Audio;

/// <summary>Limits and tools for <see cref="AudioDecoder"/>.</summary>
/// <remarks>Plain settings object; not thread-safe while being configured.</remarks>
public sealed class AudioDecoderOptions
{
    /// <summary>Gets or sets the longest audio accepted; longer audio fails with <see cref="AudioTooLongException"/> without being decoded to the end. Default 2 hours.</summary>
    public TimeSpan MaxDuration { get; set; } = TimeSpan.FromHours(2);

    /// <summary>Gets or sets the ffmpeg program used for FLAC, Ogg Opus and containers not decoded in process; <c>ffmpeg</c> on the PATH when <see langword="null"/>.</summary>
    public string? FfmpegPath { get; set; }
}
