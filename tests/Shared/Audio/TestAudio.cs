using System.Buffers.Binary;
using OffGrid.Testing.LlamaCpp;

namespace OffGrid.Testing.Audio;

/// <summary>
/// Audio for tests, made independently of the product's encoder: PCM WAV written here, other formats converted by
/// the ffmpeg program, speech spoken by the espeak-ng program (both Debian packages that eng/test.sh installs).
/// </summary>
internal static class TestAudio
{
    /// <summary>A 16-bit PCM WAV of a sine tone.</summary>
    public static byte[] SineWav(double seconds, double frequency = 440, int sampleRate = 16000, int channels = 1, double amplitude = 0.3)
    {
        int frames = (int)(seconds * sampleRate);
        byte[] wav = new byte[44 + (frames * channels * 2)];
        WriteHeader(wav, sampleRate, channels, frames);
        for (int f = 0; f < frames; f++)
        {
            short value = (short)(amplitude * short.MaxValue * Math.Sin(2 * Math.PI * frequency * f / sampleRate));
            for (int c = 0; c < channels; c++)
            {
                BinaryPrimitives.WriteInt16LittleEndian(wav.AsSpan(44 + (((f * channels) + c) * 2)), value);
            }
        }

        return wav;
    }

    /// <summary>A 16-bit PCM WAV of digital silence.</summary>
    public static byte[] SilentWav(double seconds, int sampleRate = 16000) => SineWav(seconds, amplitude: 0, sampleRate: sampleRate);

    /// <summary>Converts audio with ffmpeg to the format its extension names (<c>.mp3</c>, <c>.ogg</c> Vorbis, <c>.flac</c>, <c>.opus</c>, <c>.m4a</c>).</summary>
    public static byte[] Convert(byte[] wav, string extension)
    {
        string dir = TestPaths.NewTempDir("audio");
        try
        {
            string input = Path.Combine(dir, "in.wav");
            string output = Path.Combine(dir, "out" + extension);
            File.WriteAllBytes(input, wav);
            string[] codec = extension == ".ogg" ? ["-c:a", "libvorbis"] : [];
            ExternalCommand.Run("ffmpeg", ["-nostdin", "-hide_banner", "-loglevel", "error", "-i", input, .. codec, output], dir, TimeSpan.FromMinutes(1));
            return File.ReadAllBytes(output);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Speech from espeak-ng as a WAV file (22.05 kHz mono).</summary>
    public static byte[] Speak(string text, string voice = "en-us")
    {
        string dir = TestPaths.NewTempDir("espeak");
        try
        {
            string output = Path.Combine(dir, "speech.wav");
            ExternalCommand.Run("espeak-ng", ["-v", voice, "-w", output, text], dir, TimeSpan.FromMinutes(1));
            return File.ReadAllBytes(output);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// Counts rising zero crossings per second in the middle half of mono float audio: the frequency of a pure tone.
    /// The ends are left out because lossy codecs pad them with near-silence whose noise crosses zero at random.
    /// </summary>
    public static double DominantFrequency(float[] samples, int sampleRate)
    {
        int from = samples.Length / 4, to = samples.Length * 3 / 4;
        int crossings = 0;
        for (int i = from + 1; i < to; i++)
        {
            if (samples[i - 1] < 0 && samples[i] >= 0)
            {
                crossings++;
            }
        }

        return crossings * (double)sampleRate / (to - from);
    }

    private static void WriteHeader(byte[] wav, int sampleRate, int channels, int frames)
    {
        int dataBytes = frames * channels * 2;
        "RIFF"u8.CopyTo(wav);
        BinaryPrimitives.WriteInt32LittleEndian(wav.AsSpan(4), 36 + dataBytes);
        "WAVEfmt "u8.CopyTo(wav.AsSpan(8));
        BinaryPrimitives.WriteInt32LittleEndian(wav.AsSpan(16), 16);
        BinaryPrimitives.WriteInt16LittleEndian(wav.AsSpan(20), 1);
        BinaryPrimitives.WriteInt16LittleEndian(wav.AsSpan(22), (short)channels);
        BinaryPrimitives.WriteInt32LittleEndian(wav.AsSpan(24), sampleRate);
        BinaryPrimitives.WriteInt32LittleEndian(wav.AsSpan(28), sampleRate * channels * 2);
        BinaryPrimitives.WriteInt16LittleEndian(wav.AsSpan(32), (short)(channels * 2));
        BinaryPrimitives.WriteInt16LittleEndian(wav.AsSpan(34), 16);
        "data"u8.CopyTo(wav.AsSpan(36));
        BinaryPrimitives.WriteInt32LittleEndian(wav.AsSpan(40), dataBytes);
    }
}
