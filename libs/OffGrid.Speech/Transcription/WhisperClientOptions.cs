using OffGrid.Speech.Audio;

namespace OffGrid.Speech.Transcription;

/// <summary>Settings of a <see cref="WhisperSpeechToTextClient"/>.</summary>
/// <remarks>Plain settings object; not thread-safe while being configured, read once by the client's constructor.</remarks>
public sealed class WhisperClientOptions
{
    /// <summary>Gets or sets the whisper.cpp GGML model file (<c>ggml-base.bin</c>…). Required.</summary>
    public string ModelPath { get; set; } = string.Empty;

    /// <summary>Gets or sets the model id reported in responses; the file name without extension when <see langword="null"/>.</summary>
    public string? ModelId { get; set; }

    /// <summary>Gets or sets the CPU threads per transcription; all cores up to 8 when 0.</summary>
    public int Threads { get; set; }

    /// <summary>Gets or sets how many transcriptions run at once (each holds its own decoder state); default 1.</summary>
    public int MaxConcurrency { get; set; } = 1;

    /// <summary>Gets or sets the peak level (in [0, 1]) below which audio is silent and refused with <see cref="SilentAudioException"/>; default 0.001 (−60 dBFS). 0 accepts any audio.</summary>
    public float SilenceThreshold { get; set; } = 0.001f;

    /// <summary>Gets or sets the input limits and the ffmpeg location for formats decoded through it.</summary>
    public AudioDecoderOptions Audio { get; set; } = new();

    /// <summary>Gets or sets whether whisper.cpp may use a GPU backend when its runtime has one; default false (CPU).</summary>
    public bool UseGpu { get; set; }

    /// <summary>Lists what is wrong with the settings (all but <see cref="ModelPath"/>, which the client checks).</summary>
    /// <returns>The problems; empty when the settings are valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Threads < 0)
        {
            errors.Add("Threads must be 0 (automatic) or positive.");
        }

        if (MaxConcurrency < 1)
        {
            errors.Add("MaxConcurrency must be at least 1.");
        }

        if (SilenceThreshold is < 0 or >= 1)
        {
            errors.Add("SilenceThreshold must be in [0, 1).");
        }

        if (Audio is null || Audio.MaxDuration <= TimeSpan.Zero)
        {
            errors.Add("Audio.MaxDuration must be positive.");
        }

        return errors;
    }
}
