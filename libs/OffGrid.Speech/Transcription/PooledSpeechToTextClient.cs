using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OffGrid.Hub.References;
using OffGrid.Hub.Store;

namespace OffGrid.Speech.Transcription;

/// <summary>
/// Speech-to-text over every Whisper model the OffGrid store has or can pull: picks the model from
/// <see cref="SpeechToTextOptions.ModelId"/> (an alias such as <c>whisper-base</c>, <c>owner/repo/ggml-x.bin</c>, a store
/// name or a path to a <c>.bin</c> file; <c>whisper-1</c>, OpenAI's name, means the default model), pulls it on first
/// use, and keeps one <see cref="WhisperSpeechToTextClient"/> per model file.
/// </summary>
/// <remarks>Thread-safe. Disposing disposes the per-model clients.</remarks>
public sealed class PooledSpeechToTextClient : ISpeechToTextClient
{
    /// <summary>OpenAI's name for its hosted Whisper; requests naming it get the default model.</summary>
    public const string OpenAiModelName = "whisper-1";

    private readonly ModelStore _store;
    private readonly WhisperClientOptions _template;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ConcurrentDictionary<string, Lazy<WhisperSpeechToTextClient>> _clients = new(StringComparer.Ordinal);

    /// <summary>Initializes a new instance.</summary>
    /// <param name="store">The model store that finds and pulls models.</param>
    /// <param name="defaultModel">The model used when a request names none.</param>
    /// <param name="template">Settings for every per-model client; its <see cref="WhisperClientOptions.ModelPath"/> is ignored.</param>
    /// <param name="loggerFactory">Creates the per-model clients' loggers.</param>
    public PooledSpeechToTextClient(ModelStore store, string defaultModel, WhisperClientOptions? template = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrWhiteSpace(defaultModel);
        _store = store;
        DefaultModel = defaultModel;
        _template = template ?? new WhisperClientOptions();
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        Metadata = new SpeechToTextClientMetadata("offgrid", null, defaultModel);
    }

    /// <summary>Gets the model used when a request names none.</summary>
    public string DefaultModel { get; }

    /// <summary>Gets the client metadata.</summary>
    public SpeechToTextClientMetadata Metadata { get; }

    /// <summary>Finds a Whisper model on this machine, pulling it from the hub when it is not stored yet.</summary>
    /// <param name="model">An alias, repository file, store name or <c>.bin</c> path; <see langword="null"/> or <c>whisper-1</c> for the default.</param>
    /// <param name="cancellationToken">Cancels the pull.</param>
    /// <returns>The client for that model.</returns>
    /// <exception cref="UnknownSpeechModelException">No such model exists, or it is not a Whisper model.</exception>
    public async Task<WhisperSpeechToTextClient> GetClientAsync(string? model, CancellationToken cancellationToken = default)
    {
        string name = string.IsNullOrWhiteSpace(model) || model == OpenAiModelName ? DefaultModel : model.Trim();
        string path = await ResolvePathAsync(name, cancellationToken).ConfigureAwait(false);
        return _clients.GetOrAdd(path, p => new Lazy<WhisperSpeechToTextClient>(() => new WhisperSpeechToTextClient(
            new WhisperClientOptions
            {
                ModelPath = p,
                ModelId = name,
                Threads = _template.Threads,
                MaxConcurrency = _template.MaxConcurrency,
                SilenceThreshold = _template.SilenceThreshold,
                Audio = _template.Audio,
                UseGpu = _template.UseGpu,
            },
            _loggerFactory.CreateLogger<WhisperSpeechToTextClient>()))).Value;
    }

    /// <inheritdoc/>
    public async Task<SpeechToTextResponse> GetTextAsync(Stream audioSpeechStream, SpeechToTextOptions? options = null, CancellationToken cancellationToken = default)
    {
        WhisperSpeechToTextClient client = await GetClientAsync(options?.ModelId, cancellationToken).ConfigureAwait(false);
        return await client.GetTextAsync(audioSpeechStream, options, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<SpeechToTextResponseUpdate> GetStreamingTextAsync(
        Stream audioSpeechStream, SpeechToTextOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        WhisperSpeechToTextClient client = await GetClientAsync(options?.ModelId, cancellationToken).ConfigureAwait(false);
        await foreach (SpeechToTextResponseUpdate update in client.GetStreamingTextAsync(audioSpeechStream, options, cancellationToken).ConfigureAwait(false))
        {
            yield return update;
        }
    }

    /// <inheritdoc/>
    public object? GetService(Type serviceType, object? serviceKey = null) => ClientServices.Get(this, Metadata, serviceType, serviceKey);

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (Lazy<WhisperSpeechToTextClient> client in _clients.Values.Where(c => c.IsValueCreated))
        {
            client.Value.Dispose();
        }

        _clients.Clear();
    }

    private async Task<string> ResolvePathAsync(string model, CancellationToken cancellationToken)
    {
        if (model.EndsWith(".bin", StringComparison.OrdinalIgnoreCase) && File.Exists(model))
        {
            return Path.GetFullPath(model);
        }

        ModelManifest manifest;
        try
        {
            manifest = await _store.FindAsync(model, cancellationToken).ConfigureAwait(false)
                ?? await _store.PullAsync(model, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ModelNotFoundException or InvalidModelReferenceException)
        {
            throw new UnknownSpeechModelException($"Unknown speech-to-text model '{model}': {ex.Message} Whisper models: whisper-tiny, whisper-base, whisper-small, whisper-medium, whisper-large-v3 (and -q5_1/-q8_0 variants).", ex);
        }

        return manifest.Architecture == "whisper"
            ? manifest.PrimaryFilePath
            : throw new UnknownSpeechModelException($"'{model}' is a {manifest.Architecture ?? "non-Whisper"} model, not a Whisper speech-to-text model.");
    }
}
