namespace OffGrid.Speech.Audio;

/// <summary>The audio containers OffGrid recognizes by their first bytes.</summary>
public enum AudioContainer
{
    /// <summary>Not recognized from the header; ffmpeg, when installed, is asked to read it (m4a, webm, …).</summary>
    Unknown,

    /// <summary>RIFF/WAVE (PCM 8/16/24/32-bit or IEEE float are decoded in process).</summary>
    Wav,

    /// <summary>MPEG audio layer I/II/III, optionally behind an ID3 tag (decoded in process by NLayer).</summary>
    Mp3,

    /// <summary>Ogg with Vorbis (decoded in process by NVorbis).</summary>
    OggVorbis,

    /// <summary>Ogg with Opus (decoded through ffmpeg).</summary>
    OggOpus,

    /// <summary>FLAC (decoded through ffmpeg).</summary>
    Flac,
}
