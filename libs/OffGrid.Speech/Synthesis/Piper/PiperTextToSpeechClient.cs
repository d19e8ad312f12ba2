using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OffGrid.Hub.Store;
using OffGrid.Speech.Audio;
using OffGrid.Speech.Native;

namespace OffGrid.Speech.Synthesis.Piper;

/// <summary>
/// Natural-sounding text-to-speech with Piper (VITS) voices, run by sherpa-onnx (its C API, installed from the npm
/// registry on first use and integrity-checked). Voices are pulled into the OffGrid store like models, as published in
/// rhasspy/piper-voices: <c>offgrid pull piper-en_US-lessac-medium</c> or
/// <c>offgrid pull rhasspy/piper-voices/en/en_US/amy/low/en_US-amy-low.onnx</c> (the <c>.onnx.json</c> comes along).
/// </summary>
/// <remarks>
/// <para>Thread-safe. Each voice is loaded once and kept; requests for one voice run one at a time. Piper's phonemizer
/// reads espeak-ng's data (<see cref="PiperOptions.EspeakDataDirectory"/>, else the installed espeak-ng's).</para>
/// <para>Errors: <see cref="UnknownVoiceException"/>, <see cref="InvalidTextException"/>, <see cref="SpeechSettingException"/>,
/// <see cref="UnsupportedOutputFormatException"/> for the request; <see cref="SpeechEngineException"/> when sherpa-onnx or
/// the voice cannot be loaded.</para>
/// </remarks>
public sealed class PiperTextToSpeechClient : ITextToSpeechClient, ISpeechVoiceSource
{
    /// <summary>The engine name, the prefix of its voice ids.</summary>
    public const string EngineName = "piper";

    private readonly ModelStore _store;
    private readonly PiperOptions _options;
    private readonly ILogger _logger;
    private readonly SpeechSynthesis _synthesis;
    private readonly ConcurrentDictionary<string, Lazy<Task<SherpaTtsEngine>>> _engines = new(StringComparer.Ordinal);

    /// <summary>Initializes a new instance.</summary>
    /// <param name="store">The model store that holds the voices.</param>
    /// <param name="options">Runtime and voice settings; defaults when <see langword="null"/>.</param>
    /// <param name="logger">Receives runtime installation and voice loading lines.</param>
    public PiperTextToSpeechClient(ModelStore store, PiperOptions? options = null, ILogger<PiperTextToSpeechClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _options = options ?? new PiperOptions();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _synthesis = new SpeechSynthesis(EngineName, this, new AudioEncoder(_options.FfmpegPath), SynthesizeAsync);
        Metadata = new TextToSpeechClientMetadata("offgrid", null, "piper");
    }

    /// <summary>Gets the client metadata.</summary>
    public TextToSpeechClientMetadata Metadata { get; }

    /// <inheritdoc/>
    public string Engine => EngineName;

    /// <inheritdoc/>
    /// <remarks>Without a voice or language, the first installed Piper voice speaks.</remarks>
    public async Task<TextToSpeechResponse> GetAudioAsync(string text, TextToSpeechOptions? options = null, CancellationToken cancellationToken = default) =>
        await _synthesis.GetAudioAsync(text, options, await DefaultVoiceAsync(cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    /// <remarks>One update per sentence, each a complete audio file in the requested format.</remarks>
    public async IAsyncEnumerable<TextToSpeechResponseUpdate> GetStreamingAudioAsync(
        string text, TextToSpeechOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string voice = await DefaultVoiceAsync(cancellationToken).ConfigureAwait(false);
        await foreach (TextToSpeechResponseUpdate update in _synthesis.GetStreamingAudioAsync(text, options, voice, cancellationToken).ConfigureAwait(false))
        {
            yield return update;
        }
    }

    /// <inheritdoc/>
    /// <remarks>The Piper voices in the store: ONNX models with their <c>.onnx.json</c>.</remarks>
    public async Task<IReadOnlyList<SpeechVoice>> GetVoicesAsync(CancellationToken cancellationToken = default)
    {
        var voices = new List<SpeechVoice>();
        foreach (ModelManifest manifest in await _store.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            if (Describe(manifest) is { } voice)
            {
                voices.Add(voice.Voice);
            }
        }

        return voices.DistinctBy(v => v.Id).OrderBy(v => v.Id, StringComparer.Ordinal).ToList();
    }

    /// <inheritdoc/>
    public object? GetService(Type serviceType, object? serviceKey = null) => ClientServices.Get(this, Metadata, serviceType, serviceKey);

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (Lazy<Task<SherpaTtsEngine>> engine in _engines.Values.Where(e => e.IsValueCreated && e.Value.IsCompletedSuccessfully))
        {
            engine.Value.Result.Dispose();
        }

        _engines.Clear();
    }

    private async Task<string> DefaultVoiceAsync(CancellationToken cancellationToken) =>
        (await GetVoicesAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault()?.LocalId
        ?? throw new UnknownVoiceException("No Piper voice is installed; pull one, for example 'offgrid pull piper-en_US-lessac-medium'.");

    private static (SpeechVoice Voice, ModelManifest Manifest, string Onnx, string Json)? Describe(ModelManifest manifest)
    {
        if (manifest.Architecture != "onnx" || manifest.Files.FirstOrDefault(f => f.Path.EndsWith(".onnx.json", StringComparison.OrdinalIgnoreCase)) is not { } json)
        {
            return null;
        }

        string onnx = manifest.PrimaryFilePath;
        string id = Path.GetFileNameWithoutExtension(onnx);
        string[] parts = id.Split('-'); // <lang>_<REGION>-<dataset>-<quality>, the rhasspy naming
        string language = parts[0].Replace('_', '-').ToLowerInvariant();
        string name = parts.Length >= 3 ? $"{parts[1]} ({parts[2]})" : id;
        return (new SpeechVoice($"{EngineName}:{id}", name, EngineName, [language, language.Split('-')[0]]), manifest, onnx, manifest.GetFullPath(json));
    }

    private async Task<AudioClip> SynthesizeAsync(string text, SpeechVoice voice, TextToSpeechOptions options, CancellationToken cancellationToken)
    {
        SherpaTtsEngine engine = await _engines.GetOrAdd(voice.LocalId, id => new Lazy<Task<SherpaTtsEngine>>(() => LoadAsync(id, cancellationToken))).Value.ConfigureAwait(false);
        float speed = options.Speed ?? 1f;
        return await Task.Run(() => engine.Generate(text, speed, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    private async Task<SherpaTtsEngine> LoadAsync(string voiceId, CancellationToken cancellationToken)
    {
        try
        {
            var found = (await _store.ListAsync(cancellationToken).ConfigureAwait(false)).Select(Describe).FirstOrDefault(d => d?.Voice.LocalId == voiceId)
                ?? throw new UnknownVoiceException($"The Piper voice '{voiceId}' is not in the store.");
            PiperVoiceConfig config = PiperVoiceConfig.Read(found.Json);
            string espeakData = _options.EspeakDataDirectory ?? await FindEspeakDataAsync(cancellationToken).ConfigureAwait(false);
            if (!Directory.Exists(espeakData) || !File.Exists(Path.Combine(espeakData, "phontab")))
            {
                throw new SpeechEngineException($"Piper voices need espeak-ng's data, and '{espeakData}' does not hold it (install espeak-ng-data, or set Piper.EspeakDataDirectory).");
            }

            await SherpaOnnxRuntime.EnsureLoadedAsync(_options, _logger, cancellationToken).ConfigureAwait(false);
            (string model, string tokens) = SherpaVoiceFiles.Prepare(found.Onnx, config);
            _logger.LogInformation("Loading Piper voice {Voice} ({SampleRate} Hz).", voiceId, config.SampleRate);
            return await Task.Run(() => SherpaTtsEngine.Create(model, tokens, espeakData, config.NoiseScale, config.NoiseW, config.LengthScale, Math.Max(1, _options.Threads)), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // A failed load is not cached: the next request tries again (a voice pulled meanwhile, a runtime installed).
            _engines.TryRemove(voiceId, out _);
            throw;
        }
    }

    /// <summary>Asks the installed espeak-ng where its data is (<c>espeak-ng --version</c> ends with "Data at: …").</summary>
    private static async Task<string> FindEspeakDataAsync(CancellationToken cancellationToken)
    {
        string program = ExternalProgram.Locate(null, "espeak-ng")
            ?? throw new SpeechEngineException("Piper voices need espeak-ng's data: install espeak-ng (apt-get install espeak-ng) or set Piper.EspeakDataDirectory.");
        ExternalProgram.Result result = await ExternalProgram.RunAsync(program, ["--version"], ReadOnlyMemory<byte>.Empty, cancellationToken).ConfigureAwait(false);
        string output = Encoding.UTF8.GetString(result.Output);
        int at = output.IndexOf("Data at:", StringComparison.Ordinal);
        return at >= 0 ? output[(at + "Data at:".Length)..].Trim() : throw new SpeechEngineException("espeak-ng did not say where its data is; set Piper.EspeakDataDirectory.");
    }
}
