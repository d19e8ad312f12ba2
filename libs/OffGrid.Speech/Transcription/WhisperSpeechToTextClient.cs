using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OffGrid.Speech.Audio;
using Whisper.net;

namespace OffGrid.Speech.Transcription;

/// <summary>
/// Speech-to-text on a local Whisper model: whisper.cpp through Whisper.net, behind <see cref="ISpeechToTextClient"/>.
/// Accepts WAV, MP3, Ogg Vorbis (and, with ffmpeg, FLAC, Opus, M4A, WebM), resampled to 16 kHz mono; detects the
/// language or uses <see cref="SpeechToTextOptions.SpeechLanguage"/>; translates to English when
/// <see cref="SpeechToTextOptions.TextLanguage"/> is <c>en</c> and the speech is not; streams one update per segment
/// with its start and end time.
/// </summary>
/// <remarks>
/// <para>Thread-safe. The model is loaded once, on first use; each request gets its own decoder state, and at most
/// <see cref="WhisperClientOptions.MaxConcurrency"/> requests decode at once (the others wait).</para>
/// <para>Responses carry the segments, the language and the audio length: see <see cref="SpeechToTextResponseExtensions"/>.
/// <c>AdditionalProperties</c> of the request may hold <c>prompt</c> (a string that primes the decoder) and
/// <c>temperature</c> (a number).</para>
/// <para>Errors: <see cref="UnsupportedAudioException"/>, <see cref="CorruptAudioException"/>, <see cref="AudioTooLongException"/>,
/// <see cref="SilentAudioException"/>, <see cref="UnsupportedLanguageException"/> for the request;
/// <see cref="SpeechEngineException"/> when the model does not load; <see cref="OperationCanceledException"/> when cancelled
/// (whisper.cpp stops at its next abort check).</para>
/// </remarks>
public sealed class WhisperSpeechToTextClient : ISpeechToTextClient
{
    /// <summary>Whisper's input sample rate.</summary>
    public const int SampleRate = 16000;

    private static readonly ActivitySource s_activity = new("OffGrid.Speech");

    private readonly WhisperClientOptions _options;
    private readonly ILogger _logger;
    private readonly AudioDecoder _decoder;
    private readonly SemaphoreSlim _gate;
    private readonly Lazy<WhisperFactory> _factory;
    private readonly Lazy<HashSet<string>> _languages;
    private bool _disposed;

    /// <summary>Initializes a new instance; the model is loaded on the first request.</summary>
    /// <param name="options">The model and limits.</param>
    /// <param name="logger">Receives one line per transcription.</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public WhisperSpeechToTextClient(WhisperClientOptions options, ILogger<WhisperSpeechToTextClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        IReadOnlyList<string> errors = string.IsNullOrWhiteSpace(options.ModelPath)
            ? [.. options.Validate(), "ModelPath must name a whisper.cpp GGML model file."]
            : options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors), nameof(options));
        }

        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _decoder = new AudioDecoder(options.Audio);
        _gate = new SemaphoreSlim(options.MaxConcurrency, options.MaxConcurrency);
        ModelId = options.ModelId ?? Path.GetFileNameWithoutExtension(options.ModelPath);
        Metadata = new SpeechToTextClientMetadata("offgrid", null, ModelId);
        _factory = new Lazy<WhisperFactory>(LoadModel, LazyThreadSafetyMode.ExecutionAndPublication);
        _languages = new Lazy<HashSet<string>>(() => new HashSet<string>(WhisperFactory.GetSupportedLanguages(), StringComparer.OrdinalIgnoreCase));
    }

    /// <summary>Gets the model id reported in responses.</summary>
    public string ModelId { get; }

    /// <summary>Gets the client metadata (provider <c>offgrid</c>, the model id).</summary>
    public SpeechToTextClientMetadata Metadata { get; }

    /// <inheritdoc/>
    public async Task<SpeechToTextResponse> GetTextAsync(Stream audioSpeechStream, SpeechToTextOptions? options = null, CancellationToken cancellationToken = default)
    {
        var segments = new List<TranscriptionSegment>();
        var text = new StringBuilder();
        SpeechToTextResponseUpdate? last = null;
        await foreach (SpeechToTextResponseUpdate update in GetStreamingTextAsync(audioSpeechStream, options, cancellationToken).ConfigureAwait(false))
        {
            last = update;
            if (update.RawRepresentation is TranscriptionSegment segment)
            {
                segments.Add(segment);
                text.Append(segment.Text);
            }
        }

        var response = new SpeechToTextResponse(text.ToString().Trim())
        {
            ResponseId = last?.ResponseId,
            ModelId = ModelId,
            StartTime = segments.Count > 0 ? segments[0].Start : TimeSpan.Zero,
            EndTime = segments.Count > 0 ? segments[^1].End : TimeSpan.Zero,
            RawRepresentation = segments,
            AdditionalProperties = new AdditionalPropertiesDictionary { [SpeechToTextResponseExtensions.SegmentsKey] = segments },
        };
        if (last?.AdditionalProperties is { } closing)
        {
            foreach (string key in new[] { SpeechToTextResponseExtensions.LanguageKey, SpeechToTextResponseExtensions.DurationKey })
            {
                if (closing.TryGetValue(key, out object? value))
                {
                    response.AdditionalProperties[key] = value;
                }
            }
        }

        return response;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Yields <see cref="SpeechToTextResponseUpdateKind.SessionOpen"/>, one <see cref="SpeechToTextResponseUpdateKind.TextUpdated"/>
    /// per segment (its <see cref="TranscriptionSegment"/> as <c>RawRepresentation</c>, with start and end time), then
    /// <see cref="SpeechToTextResponseUpdateKind.SessionClose"/> carrying the language and the audio length.
    /// Bad audio fails before the first update.
    /// </remarks>
    public async IAsyncEnumerable<SpeechToTextResponseUpdate> GetStreamingTextAsync(
        Stream audioSpeechStream, SpeechToTextOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(audioSpeechStream);
        ObjectDisposedException.ThrowIf(_disposed, this);
        (string? language, bool translate) = ResolveLanguages(options);
        AudioClip clip = await _decoder.DecodeAsync(audioSpeechStream, SampleRate, cancellationToken).ConfigureAwait(false);
        if (clip.Peak < _options.SilenceThreshold)
        {
            throw new SilentAudioException(clip.Duration);
        }

        using Activity? activity = s_activity.StartActivity("transcribe");
        activity?.SetTag("gen_ai.request.model", ModelId);
        string responseId = "stt-" + Guid.NewGuid().ToString("N");
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var stopwatch = Stopwatch.StartNew();
            await using WhisperProcessor processor = BuildProcessor(language, translate, options);
            yield return new SpeechToTextResponseUpdate { Kind = SpeechToTextResponseUpdateKind.SessionOpen, ResponseId = responseId, ModelId = ModelId };

            string? detected = language;
            int id = 0;
            await foreach (SegmentData data in processor.ProcessAsync(clip.Samples.AsMemory(), cancellationToken).ConfigureAwait(false))
            {
                // Whisper decodes 30-second windows, so the last segment's timestamps can run past the audio.
                TimeSpan start = Min(data.Start, clip.Duration);
                var segment = new TranscriptionSegment(id++, start, Max(start, Min(data.End, clip.Duration)), data.Text, data.Probability, data.Language);
                detected ??= data.Language;
                yield return new SpeechToTextResponseUpdate(segment.Text)
                {
                    Kind = SpeechToTextResponseUpdateKind.TextUpdated,
                    ResponseId = responseId,
                    ModelId = ModelId,
                    StartTime = segment.Start,
                    EndTime = segment.End,
                    RawRepresentation = segment,
                };
            }

            _logger.LogInformation("Transcribed {Seconds:0.0} s of audio with {Model} in {Elapsed} ms: {Segments} segments, language {Language}.", clip.Duration.TotalSeconds, ModelId, stopwatch.ElapsedMilliseconds, id, detected);
            yield return new SpeechToTextResponseUpdate
            {
                Kind = SpeechToTextResponseUpdateKind.SessionClose,
                ResponseId = responseId,
                ModelId = ModelId,
                StartTime = TimeSpan.Zero,
                EndTime = clip.Duration,
                AdditionalProperties = new AdditionalPropertiesDictionary
                {
                    [SpeechToTextResponseExtensions.LanguageKey] = detected,
                    [SpeechToTextResponseExtensions.DurationKey] = clip.Duration.TotalSeconds,
                },
            };
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc/>
    public object? GetService(Type serviceType, object? serviceKey = null) => ClientServices.Get(this, Metadata, serviceType, serviceKey);

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_factory.IsValueCreated)
        {
            _factory.Value.Dispose();
        }

        _gate.Dispose();
    }

    /// <summary>Maps MEAI's speech and text languages to Whisper's language and translate switch.</summary>
    private (string? Language, bool Translate) ResolveLanguages(SpeechToTextOptions? options)
    {
        string? speech = Normalize(options?.SpeechLanguage);
        string? text = Normalize(options?.TextLanguage);
        if (speech is not null && !_languages.Value.Contains(speech))
        {
            throw new UnsupportedLanguageException($"Whisper does not know the speech language '{options!.SpeechLanguage}'; use an ISO 639-1 code such as en, de, fr, or leave it out to detect the language.");
        }

        if (text is null || text == speech)
        {
            return (speech, false);
        }

        return text == "en"
            ? (speech, true)
            : throw new UnsupportedLanguageException($"Whisper translates only into English; the text language '{options!.TextLanguage}' is not possible (leave it out to transcribe in the spoken language).");
    }

    private static string? Normalize(string? language)
    {
        if (string.IsNullOrWhiteSpace(language) || language.Equals("auto", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        // BCP 47 tags (en-US, pt_BR) name the language first.
        return language.Trim().Split('-', '_')[0].ToLowerInvariant();
    }

    private WhisperProcessor BuildProcessor(string? language, bool translate, SpeechToTextOptions? options)
    {
        WhisperProcessorBuilder builder;
        try
        {
            builder = _factory.Value.CreateBuilder();
        }
        catch (WhisperModelLoadException ex)
        {
            throw new SpeechEngineException($"The Whisper model '{_options.ModelPath}' could not be loaded: it is not a whisper.cpp GGML model, or it is damaged.", ex);
        }

        builder = builder
            .WithThreads(_options.Threads > 0 ? _options.Threads : Math.Clamp(Environment.ProcessorCount, 1, 8))
            .WithLanguage(language ?? "auto")
            .WithProbabilities();
        if (translate)
        {
            builder = builder.WithTranslate();
        }

        if (options?.AdditionalProperties is { } extra)
        {
            if (extra.TryGetValue("prompt", out string? prompt) && !string.IsNullOrWhiteSpace(prompt))
            {
                builder = builder.WithPrompt(prompt);
            }

            if (extra.TryGetValue("temperature", out float temperature))
            {
                builder = builder.WithTemperature(temperature);
            }
        }

        return builder.Build();
    }

    private WhisperFactory LoadModel()
    {
        if (!File.Exists(_options.ModelPath))
        {
            throw new SpeechEngineException($"The Whisper model '{_options.ModelPath}' does not exist; pull one with 'offgrid pull whisper-base'.");
        }

        try
        {
            return WhisperFactory.FromPath(_options.ModelPath, new WhisperFactoryOptions { UseGpu = _options.UseGpu });
        }
        catch (Exception ex) when (ex is WhisperModelLoadException or InvalidOperationException or DllNotFoundException or EntryPointNotFoundException)
        {
            throw new SpeechEngineException($"The Whisper model '{_options.ModelPath}' could not be loaded: {ex.Message}", ex);
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
