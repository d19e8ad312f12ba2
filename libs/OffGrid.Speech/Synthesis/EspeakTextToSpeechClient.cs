using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.AI;
using OffGrid.Speech.Audio;

namespace OffGrid.Speech.Synthesis;

/// <summary>
/// Text-to-speech with eSpeak NG, the voice that needs no download: over 100 languages, robotic but clear. Runs the
/// <c>espeak-ng</c> program (Debian/Ubuntu package <c>espeak-ng</c>); it is GPL-licensed, so OffGrid calls it and never
/// links it.
/// </summary>
/// <remarks>
/// <para>Thread-safe: each request runs its own process. <see cref="TextToSpeechOptions.Speed"/> scales the words per
/// minute, <see cref="TextToSpeechOptions.Pitch"/> the pitch (50 at 1.0), <see cref="TextToSpeechOptions.Volume"/> the
/// amplitude (1.0 is espeak's 100). Output is 22.05 kHz mono, as WAV/PCM in process or MP3/Opus/FLAC/AAC through ffmpeg.</para>
/// <para>Errors: <see cref="UnknownVoiceException"/>, <see cref="InvalidTextException"/>, <see cref="SpeechSettingException"/>,
/// <see cref="UnsupportedOutputFormatException"/> for the request; <see cref="SpeechEngineException"/> when espeak-ng is
/// missing or fails.</para>
/// </remarks>
public sealed class EspeakTextToSpeechClient : ITextToSpeechClient, ISpeechVoiceSource
{
    /// <summary>The engine name, the prefix of its voice ids.</summary>
    public const string EngineName = "espeak";

    private const int WavHeaderLength = 44;
    private readonly EspeakOptions _options;
    private readonly SpeechSynthesis _synthesis;
    private readonly Lazy<Task<IReadOnlyList<SpeechVoice>>> _voices;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="options">The program and defaults; defaults when <see langword="null"/>.</param>
    public EspeakTextToSpeechClient(EspeakOptions? options = null)
    {
        _options = options ?? new EspeakOptions();
        _synthesis = new SpeechSynthesis(EngineName, this, new AudioEncoder(_options.FfmpegPath), SynthesizeAsync);
        _voices = new Lazy<Task<IReadOnlyList<SpeechVoice>>>(ListVoicesAsync, LazyThreadSafetyMode.ExecutionAndPublication);
        Metadata = new TextToSpeechClientMetadata("offgrid", null, "espeak-ng");
    }

    /// <summary>Gets the client metadata (provider <c>offgrid</c>, model <c>espeak-ng</c>).</summary>
    public TextToSpeechClientMetadata Metadata { get; }

    /// <inheritdoc/>
    public string Engine => EngineName;

    /// <summary>Gets whether espeak-ng is installed where the options say (or on the PATH).</summary>
    public bool IsAvailable => ExternalProgram.Locate(_options.ProgramPath, "espeak-ng") is not null;

    /// <inheritdoc/>
    public Task<TextToSpeechResponse> GetAudioAsync(string text, TextToSpeechOptions? options = null, CancellationToken cancellationToken = default) =>
        _synthesis.GetAudioAsync(text, options, _options.DefaultVoice, cancellationToken);

    /// <inheritdoc/>
    /// <remarks>One update per sentence, each a complete audio file in the requested format.</remarks>
    public IAsyncEnumerable<TextToSpeechResponseUpdate> GetStreamingAudioAsync(string text, TextToSpeechOptions? options = null, CancellationToken cancellationToken = default) =>
        _synthesis.GetStreamingAudioAsync(text, options, _options.DefaultVoice, cancellationToken);

    /// <inheritdoc/>
    /// <remarks>The voice list is read from <c>espeak-ng --voices</c> once and kept.</remarks>
    public Task<IReadOnlyList<SpeechVoice>> GetVoicesAsync(CancellationToken cancellationToken = default) => _voices.Value.WaitAsync(cancellationToken);

    /// <inheritdoc/>
    public object? GetService(Type serviceType, object? serviceKey = null) => ClientServices.Get(this, Metadata, serviceType, serviceKey);

    /// <inheritdoc/>
    public void Dispose()
    {
        // Nothing is held between requests: each one runs and ends its own process.
    }

    private string Program => ExternalProgram.Locate(_options.ProgramPath, "espeak-ng")
        ?? throw new SpeechEngineException("espeak-ng is not installed (Debian/Ubuntu: apt-get install espeak-ng); it is OffGrid's voice that needs no download.");

    private async Task<IReadOnlyList<SpeechVoice>> ListVoicesAsync()
    {
        ExternalProgram.Result result = await ExternalProgram.RunAsync(Program, ["--voices"], ReadOnlyMemory<byte>.Empty, CancellationToken.None).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new SpeechEngineException($"espeak-ng could not list its voices: {result.LastErrorLine}");
        }

        // Columns: Pty Language Age/Gender VoiceName File Other-Languages (the header line first).
        var voices = new List<SpeechVoice>();
        foreach (string line in Encoding.UTF8.GetString(result.Output).Split('\n').Skip(1))
        {
            string[] cells = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (cells.Length < 5)
            {
                continue;
            }

            string language = cells[1].ToLowerInvariant();
            string gender = cells[2].EndsWith("/F", StringComparison.Ordinal) ? "female" : cells[2].EndsWith("/M", StringComparison.Ordinal) ? "male" : "unknown";
            string name = cells[3].Replace('_', ' ');
            IEnumerable<string> others = cells.Skip(5).Select(o => o.TrimStart('(').TrimEnd(')').Split(' ')[0].ToLowerInvariant()).Where(o => o.Length > 0 && !char.IsDigit(o[0]));
            voices.Add(new SpeechVoice($"{EngineName}:{language}", name, EngineName, [language, .. others], gender));
        }

        return voices.DistinctBy(v => v.Id).OrderBy(v => v.Id, StringComparer.Ordinal).ToList();
    }

    private async Task<AudioClip> SynthesizeAsync(string text, SpeechVoice voice, TextToSpeechOptions options, CancellationToken cancellationToken)
    {
        int wpm = (int)Math.Round(_options.WordsPerMinute * (options.Speed ?? 1f));
        int pitch = (int)Math.Clamp(Math.Round(50 * (options.Pitch ?? 1f)), 0, 99);
        int amplitude = (int)Math.Clamp(Math.Round(100 * (options.Volume ?? 1f)), 0, 200);
        ExternalProgram.Result result = await ExternalProgram.RunAsync(
            Program,
            ["-v", voice.LocalId, "-s", Invariant(Math.Clamp(wpm, 40, 700)), "-p", Invariant(pitch), "-a", Invariant(amplitude), "--stdin", "--stdout"],
            Encoding.UTF8.GetBytes(text),
            cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0 || result.Output.Length < WavHeaderLength)
        {
            throw new SpeechEngineException($"espeak-ng failed for voice {voice.LocalId}: {result.LastErrorLine}");
        }

        return ReadStreamedWav(result.Output);
    }

    /// <summary>
    /// Reads espeak-ng's stdout WAV: a fixed 44-byte PCM16 mono header whose sizes are placeholders (a pipe cannot be
    /// rewound to fill them in), so the data runs to the end of the output.
    /// </summary>
    private static AudioClip ReadStreamedWav(byte[] wav)
    {
        ReadOnlySpan<byte> header = wav.AsSpan(0, WavHeaderLength);
        if (!header[..4].SequenceEqual("RIFF"u8) || !header[36..40].SequenceEqual("data"u8) || BinaryPrimitives.ReadInt16LittleEndian(header[34..]) != 16)
        {
            throw new SpeechEngineException("espeak-ng wrote audio in an unexpected layout (expected 16-bit PCM WAV).");
        }

        int sampleRate = BinaryPrimitives.ReadInt32LittleEndian(header[24..]);
        int count = (wav.Length - WavHeaderLength) / 2;
        float[] samples = new float[count];
        for (int i = 0; i < count; i++)
        {
            samples[i] = BinaryPrimitives.ReadInt16LittleEndian(wav.AsSpan(WavHeaderLength + (i * 2))) / 32768f;
        }

        return new AudioClip(samples, sampleRate);
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
