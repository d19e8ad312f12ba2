using OffGrid.Speech.Synthesis;
using OffGrid.Speech.Synthesis.Piper;
using OffGrid.Speech.Transcription;

namespace OffGrid.Speech;

/// <summary>Settings of the OffGrid speech services registered by <c>AddOffGridSpeech</c>.</summary>
/// <remarks>Plain settings object; not thread-safe while being configured. Validated at start.</remarks>
public sealed class SpeechOptions
{
    /// <summary>The configuration section bound to these options when the app has a configuration (<c>Speech</c>).</summary>
    public const string SectionName = "Speech";

    /// <summary>Gets or sets the Whisper model used when a request names none: an alias (<c>whisper-base</c>), repository file, store name or <c>.bin</c> path. Default <c>whisper-base</c>.</summary>
    public string TranscriptionModel { get; set; } = "whisper-base";

    /// <summary>Gets or sets the transcription settings shared by every Whisper model (threads, limits, silence threshold).</summary>
    public WhisperClientOptions Transcription { get; set; } = new();

    /// <summary>Gets or sets the espeak-ng settings.</summary>
    public EspeakOptions Espeak { get; set; } = new();

    /// <summary>Gets or sets the Piper settings (the sherpa-onnx runtime, espeak-ng data for phonemes).</summary>
    public PiperOptions Piper { get; set; } = new();

    /// <summary>Gets or sets the voice for requests that name neither voice nor language; the preferred engine's default when <see langword="null"/>.</summary>
    public string? DefaultVoice { get; set; }

    /// <summary>Lists what is wrong with the settings.</summary>
    /// <returns>The problems; empty when the settings are valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(TranscriptionModel))
        {
            errors.Add("TranscriptionModel must name a Whisper model.");
        }

        if (Transcription is null)
        {
            errors.Add("Transcription must be set.");
        }
        else
        {
            errors.AddRange(Transcription.Validate().Select(e => "Transcription." + e));
        }

        if (Espeak is null || string.IsNullOrWhiteSpace(Espeak.DefaultVoice) || Espeak.WordsPerMinute is < 40 or > 700)
        {
            errors.Add("Espeak must be set, with a DefaultVoice and WordsPerMinute in 40–700.");
        }

        if (Piper is null || Piper.Threads < 1)
        {
            errors.Add("Piper must be set, with Threads of at least 1.");
        }

        return errors;
    }
}
