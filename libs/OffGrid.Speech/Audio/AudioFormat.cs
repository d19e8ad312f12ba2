namespace OffGrid.Speech.Audio;

/// <summary>An output audio format: its name (as OpenAI's <c>response_format</c> spells it), media type and file extension.</summary>
/// <param name="Name">The short name: <c>wav</c>, <c>pcm</c>, <c>mp3</c>, <c>opus</c>, <c>flac</c> or <c>aac</c>.</param>
/// <param name="MediaType">The media type written in <c>Content-Type</c> and in <c>DataContent</c>.</param>
/// <param name="Extension">The file extension, with the dot.</param>
public sealed record AudioFormat(string Name, string MediaType, string Extension)
{
    /// <summary>RIFF/WAVE, 16-bit PCM, mono. Written in process.</summary>
    public static AudioFormat Wav { get; } = new("wav", "audio/wav", ".wav");

    /// <summary>Raw 16-bit signed little-endian PCM, mono, no header. Written in process.</summary>
    public static AudioFormat Pcm { get; } = new("pcm", "audio/pcm", ".pcm");

    /// <summary>MP3 (through ffmpeg).</summary>
    public static AudioFormat Mp3 { get; } = new("mp3", "audio/mpeg", ".mp3");

    /// <summary>Opus in Ogg (through ffmpeg).</summary>
    public static AudioFormat Opus { get; } = new("opus", "audio/ogg", ".opus");

    /// <summary>FLAC (through ffmpeg).</summary>
    public static AudioFormat Flac { get; } = new("flac", "audio/flac", ".flac");

    /// <summary>AAC in ADTS (through ffmpeg).</summary>
    public static AudioFormat Aac { get; } = new("aac", "audio/aac", ".aac");

    /// <summary>Gets every format, in-process ones first.</summary>
    public static IReadOnlyList<AudioFormat> All { get; } = [Wav, Pcm, Mp3, Opus, Flac, Aac];

    /// <summary>Gets whether the format is written without ffmpeg.</summary>
    public bool IsWrittenInProcess => this == Wav || this == Pcm;

    /// <summary>Finds a format by short name, media type or file extension (<c>mp3</c>, <c>audio/mpeg</c>, <c>.mp3</c>), ignoring case.</summary>
    /// <param name="nameOrMediaType">The text; <see langword="null"/> or empty means WAV.</param>
    /// <returns>The format.</returns>
    /// <exception cref="UnsupportedOutputFormatException">No format has that name.</exception>
    public static AudioFormat Parse(string? nameOrMediaType)
    {
        if (string.IsNullOrWhiteSpace(nameOrMediaType))
        {
            return Wav;
        }

        string s = nameOrMediaType.Trim();
        return All.FirstOrDefault(f => f.Name.Equals(s, StringComparison.OrdinalIgnoreCase) || f.MediaType.Equals(s, StringComparison.OrdinalIgnoreCase) || f.Extension.Equals(s, StringComparison.OrdinalIgnoreCase))
            ?? (s.Equals("audio/x-wav", StringComparison.OrdinalIgnoreCase) || s.Equals("audio/wave", StringComparison.OrdinalIgnoreCase) ? Wav : null)
            ?? throw new UnsupportedOutputFormatException($"Unknown audio format '{s}'; use one of {string.Join(", ", All.Select(f => f.Name))}.");
    }
}
