using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using OffGrid.Speech.Audio;

namespace OffGrid.Speech.Synthesis;

/// <summary>
/// What every OffGrid text-to-speech client does around its engine: check the text, pick the voice from
/// <see cref="TextToSpeechOptions.VoiceId"/> or <see cref="TextToSpeechOptions.Language"/>, encode the audio in the
/// requested format, and stream one audio chunk per sentence.
/// </summary>
/// <remarks>Thread-safe when the engine delegate is.</remarks>
internal sealed class SpeechSynthesis
{
    /// <summary>The longest text accepted in one request, in characters (OpenAI's limit for <c>/v1/audio/speech</c>).</summary>
    public const int MaxTextLength = 4096;

    private readonly string _engine;
    private readonly ISpeechVoiceSource _voices;
    private readonly Func<string, SpeechVoice, TextToSpeechOptions, CancellationToken, Task<AudioClip>> _synthesize;
    private readonly AudioEncoder _encoder;

    public SpeechSynthesis(string engine, ISpeechVoiceSource voices, AudioEncoder encoder, Func<string, SpeechVoice, TextToSpeechOptions, CancellationToken, Task<AudioClip>> synthesize)
    {
        _engine = engine;
        _voices = voices;
        _encoder = encoder;
        _synthesize = synthesize;
    }

    /// <summary>Finds the voice a request asks for; the default voice when it names neither voice nor language.</summary>
    /// <exception cref="UnknownVoiceException">No voice matches.</exception>
    public async Task<SpeechVoice> ResolveVoiceAsync(TextToSpeechOptions? options, string defaultVoice, CancellationToken cancellationToken)
    {
        IReadOnlyList<SpeechVoice> voices = await _voices.GetVoicesAsync(cancellationToken).ConfigureAwait(false);
        string? wanted = options?.VoiceId;
        if (string.IsNullOrWhiteSpace(wanted))
        {
            if (!string.IsNullOrWhiteSpace(options?.Language))
            {
                return voices.FirstOrDefault(v => v.Speaks(options.Language))
                    ?? throw new UnknownVoiceException($"No {_engine} voice speaks '{options.Language}'. List the voices with 'offgrid voices'.", "language");
            }

            wanted = defaultVoice;
        }

        string local = wanted.StartsWith(_engine + ":", StringComparison.OrdinalIgnoreCase) ? wanted[(_engine.Length + 1)..] : wanted;
        return voices.FirstOrDefault(v => v.LocalId.Equals(local, StringComparison.OrdinalIgnoreCase))
            ?? throw new UnknownVoiceException($"Unknown {_engine} voice '{wanted}'. List the voices with 'offgrid voices'.");
    }

    public async Task<TextToSpeechResponse> GetAudioAsync(string text, TextToSpeechOptions? options, string defaultVoice, CancellationToken cancellationToken)
    {
        (SpeechVoice voice, AudioFormat format, TextToSpeechOptions settings) = await PrepareAsync(text, options, defaultVoice, cancellationToken).ConfigureAwait(false);
        AudioClip clip = await _synthesize(text.Trim(), voice, settings, cancellationToken).ConfigureAwait(false);
        byte[] bytes = await _encoder.EncodeAsync(clip, format, cancellationToken).ConfigureAwait(false);
        return new TextToSpeechResponse([new DataContent(bytes, format.MediaType)])
        {
            ResponseId = "tts-" + Guid.NewGuid().ToString("N"),
            ModelId = voice.Id,
            AdditionalProperties = Describe(clip),
        };
    }

    /// <summary>Streams one encoded audio chunk per sentence, each a complete file in the requested format.</summary>
    public async IAsyncEnumerable<TextToSpeechResponseUpdate> GetStreamingAudioAsync(
        string text, TextToSpeechOptions? options, string defaultVoice, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        (SpeechVoice voice, AudioFormat format, TextToSpeechOptions settings) = await PrepareAsync(text, options, defaultVoice, cancellationToken).ConfigureAwait(false);
        string responseId = "tts-" + Guid.NewGuid().ToString("N");
        var chunker = new SentenceChunker();
        List<string> sentences = [.. chunker.Append(text)];
        if (chunker.Flush() is { } last)
        {
            sentences.Add(last);
        }

        foreach (string sentence in sentences)
        {
            AudioClip clip = await _synthesize(sentence, voice, settings, cancellationToken).ConfigureAwait(false);
            byte[] bytes = await _encoder.EncodeAsync(clip, format, cancellationToken).ConfigureAwait(false);
            yield return new TextToSpeechResponseUpdate([new DataContent(bytes, format.MediaType)])
            {
                Kind = TextToSpeechResponseUpdateKind.AudioUpdated,
                ResponseId = responseId,
                ModelId = voice.Id,
                AdditionalProperties = Describe(clip),
            };
        }
    }

    private async Task<(SpeechVoice Voice, AudioFormat Format, TextToSpeechOptions Settings)> PrepareAsync(string text, TextToSpeechOptions? options, string defaultVoice, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new InvalidTextException();
        }

        if (text.Length > MaxTextLength)
        {
            throw new InvalidTextException(text.Length);
        }

        AudioFormat format = AudioFormat.Parse(options?.AudioFormat);
        if (!_encoder.AvailableFormats.Contains(format))
        {
            throw new UnsupportedOutputFormatException($"Writing {format.Name} needs ffmpeg, which is not installed on this machine (Debian/Ubuntu: apt-get install ffmpeg); wav and pcm work without it.");
        }

        TextToSpeechOptions settings = options ?? new TextToSpeechOptions();
        if (settings.Speed is { } speed && speed is < 0.25f or > 4f)
        {
            throw new SpeechSettingException("speed", $"The speed {speed} is outside 0.25–4.");
        }

        return (await ResolveVoiceAsync(options, defaultVoice, cancellationToken).ConfigureAwait(false), format, settings);
    }

    private static AdditionalPropertiesDictionary Describe(AudioClip clip) => new()
    {
        ["sample_rate"] = clip.SampleRate,
        ["duration"] = clip.Duration.TotalSeconds,
    };
}
