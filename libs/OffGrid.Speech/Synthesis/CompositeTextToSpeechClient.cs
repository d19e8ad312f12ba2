using Microsoft.Extensions.AI;

namespace OffGrid.Speech.Synthesis;

/// <summary>
/// Text-to-speech over several engines (Piper voices, espeak-ng): lists all their voices and sends each request to the
/// engine of the voice it asks for. <see cref="TextToSpeechOptions.VoiceId"/> may be engine-qualified
/// (<c>piper:en_US-lessac-medium</c>, <c>espeak:de</c>) or bare (the first engine that has it); without a voice,
/// <see cref="TextToSpeechOptions.Language"/> picks the first voice (engines in order) that speaks it; without either,
/// the default voice speaks.
/// </summary>
/// <remarks>Thread-safe when the engines are. Disposing disposes the engines.</remarks>
public sealed class CompositeTextToSpeechClient : ITextToSpeechClient, ISpeechVoiceSource
{
    /// <summary>The engine name of the composite's voice list.</summary>
    public const string EngineName = "all";

    private readonly IReadOnlyList<ITextToSpeechClient> _engines;
    private readonly string? _defaultVoice;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="engines">The engines, preferred first; each must also be an <see cref="ISpeechVoiceSource"/> (through <c>GetService</c>).</param>
    /// <param name="defaultVoice">The voice for requests that name neither voice nor language; the first engine's own default when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">An engine cannot list its voices.</exception>
    public CompositeTextToSpeechClient(IEnumerable<ITextToSpeechClient> engines, string? defaultVoice = null)
    {
        ArgumentNullException.ThrowIfNull(engines);
        _engines = engines.ToList();
        if (_engines.Count == 0 || _engines.Any(e => e.GetService<ISpeechVoiceSource>() is null))
        {
            throw new ArgumentException("Give at least one engine, each able to list its voices (ISpeechVoiceSource).", nameof(engines));
        }

        _defaultVoice = defaultVoice;
        Metadata = new TextToSpeechClientMetadata("offgrid", null, defaultVoice);
    }

    /// <summary>Gets the client metadata.</summary>
    public TextToSpeechClientMetadata Metadata { get; }

    /// <inheritdoc/>
    public string Engine => EngineName;

    /// <inheritdoc/>
    /// <remarks>Engines that are not installed contribute no voices (and do not fail the listing).</remarks>
    public async Task<IReadOnlyList<SpeechVoice>> GetVoicesAsync(CancellationToken cancellationToken = default)
    {
        var voices = new List<SpeechVoice>();
        foreach (ITextToSpeechClient engine in _engines)
        {
            // A missing engine leaves the others usable.
            voices.AddRange(await TryListAsync(engine, cancellationToken).ConfigureAwait(false) ?? []);
        }

        return voices;
    }

    /// <inheritdoc/>
    public async Task<TextToSpeechResponse> GetAudioAsync(string text, TextToSpeechOptions? options = null, CancellationToken cancellationToken = default)
    {
        (ITextToSpeechClient engine, TextToSpeechOptions routed) = await RouteAsync(options, cancellationToken).ConfigureAwait(false);
        return await engine.GetAudioAsync(text, routed, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<TextToSpeechResponseUpdate> GetStreamingAudioAsync(
        string text, TextToSpeechOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        (ITextToSpeechClient engine, TextToSpeechOptions routed) = await RouteAsync(options, cancellationToken).ConfigureAwait(false);
        await foreach (TextToSpeechResponseUpdate update in engine.GetStreamingAudioAsync(text, routed, cancellationToken).ConfigureAwait(false))
        {
            yield return update;
        }
    }

    /// <inheritdoc/>
    public object? GetService(Type serviceType, object? serviceKey = null) => ClientServices.Get(this, Metadata, serviceType, serviceKey);

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (ITextToSpeechClient engine in _engines)
        {
            engine.Dispose();
        }
    }

    private async Task<(ITextToSpeechClient Engine, TextToSpeechOptions Options)> RouteAsync(TextToSpeechOptions? options, CancellationToken cancellationToken)
    {
        IReadOnlyList<SpeechVoice> voices = await GetVoicesAsync(cancellationToken).ConfigureAwait(false);
        string? wanted = string.IsNullOrWhiteSpace(options?.VoiceId) ? null : options.VoiceId.Trim();
        SpeechVoice? voice;
        if (wanted is not null)
        {
            voice = voices.FirstOrDefault(v => v.Id.Equals(wanted, StringComparison.OrdinalIgnoreCase))
                ?? voices.FirstOrDefault(v => v.LocalId.Equals(wanted, StringComparison.OrdinalIgnoreCase))
                ?? throw new UnknownVoiceException($"Unknown voice '{wanted}'. List the voices with 'offgrid voices'.");
        }
        else if (!string.IsNullOrWhiteSpace(options?.Language))
        {
            voice = voices.FirstOrDefault(v => v.Speaks(options.Language))
                ?? throw new UnknownVoiceException($"No installed voice speaks '{options.Language}'. List the voices with 'offgrid voices'.", "language");
        }
        else if (_defaultVoice is not null)
        {
            return await RouteAsync(WithVoice(options, _defaultVoice), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            // The first engine that has voices speaks with its own default voice.
            foreach (ITextToSpeechClient engine in _engines)
            {
                if (await TryListAsync(engine, cancellationToken).ConfigureAwait(false) is { Count: > 0 })
                {
                    return (engine, options ?? new TextToSpeechOptions());
                }
            }

            throw new SpeechEngineException("No text-to-speech engine is installed: install espeak-ng (apt-get install espeak-ng) or pull a Piper voice.");
        }

        ITextToSpeechClient owner = _engines.First(e => e.GetService<ISpeechVoiceSource>()!.Engine == voice.Engine);
        return (owner, WithVoice(options, voice.Id));
    }

    private static TextToSpeechOptions WithVoice(TextToSpeechOptions? options, string voice)
    {
        TextToSpeechOptions copy = options?.Clone() ?? new TextToSpeechOptions();
        copy.VoiceId = voice;
        return copy;
    }

    private static async Task<IReadOnlyList<SpeechVoice>?> TryListAsync(ITextToSpeechClient engine, CancellationToken cancellationToken)
    {
        try
        {
            return await engine.GetService<ISpeechVoiceSource>()!.GetVoicesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SpeechEngineException)
        {
            return null;
        }
    }
}
