using System.Globalization;
using NAudio.Wave;
using NAudio.Wave.SampleProviders;
using NLayer;
using NVorbis;

namespace OffGrid.Speech.Audio;

/// <summary>
/// Decodes audio files to mono float samples at a chosen sample rate: WAV, MP3 and Ogg Vorbis in process (NAudio,
/// NLayer, NVorbis), FLAC, Ogg Opus and anything else through ffmpeg when it is installed.
/// </summary>
/// <remarks>
/// Thread-safe: each call works on its own data. Multi-channel audio is averaged to mono; resampling uses NAudio's
/// WDL resampler. Audio longer than <see cref="AudioDecoderOptions.MaxDuration"/> is rejected as soon as the
/// decoder passes the limit, so a long file never fills memory.
/// </remarks>
public sealed class AudioDecoder
{
    private const int ReadBlock = 16384;
    private readonly AudioDecoderOptions _options;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="options">Limits and the ffmpeg location; defaults when <see langword="null"/>.</param>
    public AudioDecoder(AudioDecoderOptions? options = null)
    {
        _options = options ?? new AudioDecoderOptions();
    }

    /// <summary>Recognizes the container from the first bytes of a file.</summary>
    /// <param name="header">At least the first 64 bytes of the file (fewer only when the file is shorter).</param>
    /// <returns>The container, or <see cref="AudioContainer.Unknown"/>.</returns>
    public static AudioContainer Detect(ReadOnlySpan<byte> header)
    {
        if (header.Length >= 12 && header[..4].SequenceEqual("RIFF"u8) && header[8..12].SequenceEqual("WAVE"u8))
        {
            return AudioContainer.Wav;
        }

        if (header.Length >= 4 && header[..4].SequenceEqual("fLaC"u8))
        {
            return AudioContainer.Flac;
        }

        if (header.Length >= 4 && header[..4].SequenceEqual("OggS"u8))
        {
            // The first Ogg page carries the codec's identification header right after the page header.
            return header.IndexOf("OpusHead"u8) >= 0 ? AudioContainer.OggOpus
                : header.IndexOf("vorbis"u8) >= 0 ? AudioContainer.OggVorbis
                : AudioContainer.Unknown;
        }

        // An MPEG audio frame starts with 11 sync bits and a non-zero layer; AAC's ADTS shares the sync but has layer 0.
        if ((header.Length >= 3 && header[..3].SequenceEqual("ID3"u8)) || (header.Length >= 2 && header[0] == 0xFF && (header[1] & 0xE0) == 0xE0 && (header[1] & 0x06) != 0))
        {
            return AudioContainer.Mp3;
        }

        return AudioContainer.Unknown;
    }

    /// <summary>Decodes a whole audio file.</summary>
    /// <param name="audio">The file's bytes; read to the end, not disposed.</param>
    /// <param name="sampleRate">The sample rate of the result in Hz (16000 for Whisper).</param>
    /// <param name="cancellationToken">Cancels the decoding.</param>
    /// <returns>Mono audio at <paramref name="sampleRate"/>.</returns>
    /// <exception cref="UnsupportedAudioException">The format is not one this machine can decode (ffmpeg missing, or unknown to it).</exception>
    /// <exception cref="CorruptAudioException">The data is damaged, or holds no samples.</exception>
    /// <exception cref="AudioTooLongException">The audio is longer than <see cref="AudioDecoderOptions.MaxDuration"/>.</exception>
    public async Task<AudioClip> DecodeAsync(Stream audio, int sampleRate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(audio);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        byte[] bytes;
        if (audio is MemoryStream { Position: 0 } memory && memory.TryGetBuffer(out ArraySegment<byte> buffer) && buffer.Offset == 0 && buffer.Count == buffer.Array!.Length)
        {
            bytes = buffer.Array;
        }
        else
        {
            using var copy = new MemoryStream();
            await audio.CopyToAsync(copy, cancellationToken).ConfigureAwait(false);
            bytes = copy.ToArray();
        }

        if (bytes.Length == 0)
        {
            throw new CorruptAudioException("The audio file is empty.");
        }

        AudioContainer container = Detect(bytes.AsSpan(0, Math.Min(bytes.Length, 64)));
        AudioClip clip = container switch
        {
            AudioContainer.Wav => DecodeWav(bytes) ?? await DecodeWithFfmpegAsync(bytes, container, sampleRate, cancellationToken).ConfigureAwait(false),
            AudioContainer.Mp3 => DecodeMp3(bytes),
            AudioContainer.OggVorbis => DecodeVorbis(bytes),
            _ => await DecodeWithFfmpegAsync(bytes, container, sampleRate, cancellationToken).ConfigureAwait(false),
        };

        if (clip.Samples.Length == 0)
        {
            throw new CorruptAudioException($"The {Describe(container)} file holds no audio samples.");
        }

        return clip.SampleRate == sampleRate ? clip : Resample(clip, sampleRate);
    }

    /// <summary>Changes the sample rate of mono audio with NAudio's WDL resampler.</summary>
    /// <param name="clip">The audio.</param>
    /// <param name="sampleRate">The new rate in Hz.</param>
    /// <returns>The resampled audio (the same instance when the rate already matches).</returns>
    public static AudioClip Resample(AudioClip clip, int sampleRate)
    {
        ArgumentNullException.ThrowIfNull(clip);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        if (clip.SampleRate == sampleRate)
        {
            return clip;
        }

        var resampler = new WdlResamplingSampleProvider(new ArraySampleProvider(clip.Samples, clip.SampleRate), sampleRate);
        var output = new List<float>((int)((long)clip.Samples.Length * sampleRate / clip.SampleRate) + ReadBlock);
        float[] block = new float[ReadBlock];
        int read;
        while ((read = resampler.Read(block)) > 0)
        {
            output.AddRange(block.AsSpan(0, read));
        }

        return new AudioClip([.. output], sampleRate);
    }

    private AudioClip? DecodeWav(byte[] bytes)
    {
        WaveFileReader reader;
        try
        {
            reader = new WaveFileReader(new MemoryStream(bytes, writable: false));
        }
        catch (Exception ex) when (ex is FormatException or InvalidDataException or EndOfStreamException or ArgumentException)
        {
            throw new CorruptAudioException($"The WAV file cannot be read: {ex.Message}", ex);
        }

        using (reader)
        {
            ISampleProvider samples;
            try
            {
                samples = reader.ToSampleProvider();
            }
            catch (ArgumentException)
            {
                // A WAV codec NAudio does not convert in process (ADPCM, µ-law…): ffmpeg may.
                return null;
            }

            WaveFormat format = reader.WaveFormat;
            return ReadInterleaved((b, o, c) => samples.Read(b.AsSpan(o, c)), format.Channels, format.SampleRate, "WAV");
        }
    }

    private AudioClip DecodeMp3(byte[] bytes)
    {
        try
        {
            using var mpeg = new MpegFile(new MemoryStream(bytes, writable: false));
            return ReadInterleaved(mpeg.ReadSamples, mpeg.Channels, mpeg.SampleRate, "MP3");
        }
        catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException or IndexOutOfRangeException or ArgumentException or InvalidOperationException)
        {
            throw new CorruptAudioException($"The MP3 data cannot be decoded: {ex.Message}", ex);
        }
    }

    private AudioClip DecodeVorbis(byte[] bytes)
    {
        try
        {
            using var vorbis = new VorbisReader(new MemoryStream(bytes, writable: false), closeOnDispose: true);
            return ReadInterleaved(vorbis.ReadSamples, vorbis.Channels, vorbis.SampleRate, "Ogg Vorbis");
        }
        catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException or IndexOutOfRangeException or ArgumentException or InvalidOperationException)
        {
            throw new CorruptAudioException($"The Ogg Vorbis data cannot be decoded: {ex.Message}", ex);
        }
    }

    /// <summary>Reads interleaved float frames through a decoder's read method and averages the channels.</summary>
    private AudioClip ReadInterleaved(Func<float[], int, int, int> read, int channels, int sampleRate, string format)
    {
        if (channels <= 0 || sampleRate <= 0)
        {
            throw new CorruptAudioException($"The {format} header declares {channels} channels at {sampleRate} Hz.");
        }

        long maxFrames = (long)(_options.MaxDuration.TotalSeconds * sampleRate);
        var mono = new List<float>();
        float[] block = new float[ReadBlock * channels];
        int count;
        while ((count = read(block, 0, block.Length)) > 0)
        {
            int frames = count / channels;
            for (int f = 0; f < frames; f++)
            {
                float sum = 0;
                for (int c = 0; c < channels; c++)
                {
                    sum += block[(f * channels) + c];
                }

                mono.Add(sum / channels);
            }

            if (mono.Count > maxFrames)
            {
                throw new AudioTooLongException(_options.MaxDuration);
            }
        }

        return new AudioClip([.. mono], sampleRate);
    }

    private async Task<AudioClip> DecodeWithFfmpegAsync(byte[] bytes, AudioContainer container, int sampleRate, CancellationToken cancellationToken)
    {
        string ffmpeg = ExternalProgram.Locate(_options.FfmpegPath, "ffmpeg")
            ?? throw new UnsupportedAudioException(container == AudioContainer.Unknown
                ? "The audio format is not recognized. WAV, MP3 and Ogg Vorbis are read in process; install ffmpeg to read FLAC, Opus, M4A, WebM and more."
                : $"{Describe(container)} audio needs ffmpeg, which is not installed (Debian/Ubuntu: apt-get install ffmpeg). WAV, MP3 and Ogg Vorbis work without it.");

        // -t stops decoding just past the limit, so that an over-long file is detected without decoding it whole.
        string limit = (_options.MaxDuration.TotalSeconds + 1).ToString("0.###", CultureInfo.InvariantCulture);
        ExternalProgram.Result result = await ExternalProgram.RunAsync(
            ffmpeg,
            ["-nostdin", "-hide_banner", "-loglevel", "error", "-i", "pipe:0", "-t", limit, "-vn", "-ac", "1", "-ar", sampleRate.ToString(CultureInfo.InvariantCulture), "-f", "f32le", "pipe:1"],
            bytes,
            cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw container == AudioContainer.Unknown
                ? new UnsupportedAudioException($"The audio format is not recognized, and ffmpeg cannot read it either: {result.LastErrorLine}")
                : new CorruptAudioException($"The {Describe(container)} data cannot be decoded: {result.LastErrorLine}");
        }

        float[] samples = new float[result.Output.Length / sizeof(float)];
        Buffer.BlockCopy(result.Output, 0, samples, 0, samples.Length * sizeof(float));
        if (samples.Length > _options.MaxDuration.TotalSeconds * sampleRate)
        {
            throw new AudioTooLongException(_options.MaxDuration);
        }

        return new AudioClip(samples, sampleRate);
    }

    private static string Describe(AudioContainer container) => container switch
    {
        AudioContainer.Wav => "WAV",
        AudioContainer.Mp3 => "MP3",
        AudioContainer.OggVorbis => "Ogg Vorbis",
        AudioContainer.OggOpus => "Ogg Opus",
        AudioContainer.Flac => "FLAC",
        _ => "audio",
    };

    /// <summary>Feeds a mono sample array to NAudio's sample-provider pipeline.</summary>
    private sealed class ArraySampleProvider(float[] samples, int sampleRate) : ISampleProvider
    {
        private int _position;

        public WaveFormat WaveFormat { get; } = WaveFormat.CreateIeeeFloatWaveFormat(sampleRate, 1);

        public int Read(Span<float> buffer)
        {
            int n = Math.Min(buffer.Length, samples.Length - _position);
            samples.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }
    }
}
