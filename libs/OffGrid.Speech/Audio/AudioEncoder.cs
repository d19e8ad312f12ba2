using System.Buffers.Binary;
using System.Globalization;
using NAudio.Wave;

namespace OffGrid.Speech.Audio;

/// <summary>Writes mono audio as WAV or raw PCM in process, and as MP3, Opus, FLAC or AAC through ffmpeg.</summary>
/// <remarks>Thread-safe: stateless apart from the ffmpeg location.</remarks>
public sealed class AudioEncoder
{
    private readonly string? _ffmpegPath;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="ffmpegPath">The ffmpeg program; <c>ffmpeg</c> on the PATH when <see langword="null"/>.</param>
    public AudioEncoder(string? ffmpegPath = null)
    {
        _ffmpegPath = ffmpegPath;
    }

    /// <summary>Gets the formats this machine can write: WAV and PCM always, the others when ffmpeg is installed.</summary>
    public IReadOnlyList<AudioFormat> AvailableFormats =>
        ExternalProgram.Locate(_ffmpegPath, "ffmpeg") is null ? AudioFormat.All.Where(f => f.IsWrittenInProcess).ToList() : AudioFormat.All;

    /// <summary>Encodes audio.</summary>
    /// <param name="clip">The audio; samples are clipped to [-1, 1].</param>
    /// <param name="format">The output format.</param>
    /// <param name="cancellationToken">Cancels the encoding.</param>
    /// <returns>The encoded file's bytes.</returns>
    /// <exception cref="UnsupportedOutputFormatException">The format needs ffmpeg, which is not installed.</exception>
    /// <exception cref="SpeechEngineException">ffmpeg failed.</exception>
    public async Task<byte[]> EncodeAsync(AudioClip clip, AudioFormat format, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(clip);
        ArgumentNullException.ThrowIfNull(format);
        if (format == AudioFormat.Wav)
        {
            return ToWav(clip);
        }

        byte[] pcm = ToPcm16(clip.Samples);
        if (format == AudioFormat.Pcm)
        {
            return pcm;
        }

        string ffmpeg = ExternalProgram.Locate(_ffmpegPath, "ffmpeg")
            ?? throw new UnsupportedOutputFormatException($"Writing {format.Name} needs ffmpeg, which is not installed on this machine (Debian/Ubuntu: apt-get install ffmpeg); wav and pcm work without it.");
        string[] codec = format.Name switch
        {
            "mp3" => ["-c:a", "libmp3lame", "-q:a", "4", "-f", "mp3"],
            "opus" => ["-c:a", "libopus", "-b:a", "32k", "-f", "ogg"],
            "flac" => ["-c:a", "flac", "-f", "flac"],
            _ => ["-c:a", "aac", "-b:a", "64k", "-f", "adts"],
        };
        ExternalProgram.Result result = await ExternalProgram.RunAsync(
            ffmpeg,
            ["-nostdin", "-hide_banner", "-loglevel", "error", "-f", "s16le", "-ar", clip.SampleRate.ToString(CultureInfo.InvariantCulture), "-ac", "1", "-i", "pipe:0", .. codec, "pipe:1"],
            pcm,
            cancellationToken).ConfigureAwait(false);
        return result.ExitCode == 0
            ? result.Output
            : throw new SpeechEngineException($"ffmpeg could not write {format.Name}: {result.LastErrorLine}");
    }

    /// <summary>Writes a 16-bit PCM mono WAV file with NAudio's writer.</summary>
    /// <param name="clip">The audio.</param>
    /// <returns>The file's bytes.</returns>
    public static byte[] ToWav(AudioClip clip)
    {
        ArgumentNullException.ThrowIfNull(clip);
        using var output = new MemoryStream();
        using (var writer = new WaveFileWriter(output, new WaveFormat(clip.SampleRate, 16, 1)))
        {
            writer.WriteSamples(clip.Samples, 0, clip.Samples.Length);
        }

        return output.ToArray();
    }

    private static byte[] ToPcm16(float[] samples)
    {
        byte[] bytes = new byte[samples.Length * 2];
        for (int i = 0; i < samples.Length; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(i * 2), (short)Math.Round(Math.Clamp(samples[i], -1f, 1f) * short.MaxValue));
        }

        return bytes;
    }
}
