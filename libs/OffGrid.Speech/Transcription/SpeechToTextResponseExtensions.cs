using Microsoft.Extensions.AI;

namespace OffGrid.Speech.Transcription;

/// <summary>Reads what OffGrid's transcription clients add to a <see cref="SpeechToTextResponse"/>: segments, language, audio length.</summary>
public static class SpeechToTextResponseExtensions
{
    /// <summary>The <see cref="SpeechToTextResponse.AdditionalProperties"/> key of the <see cref="TranscriptionSegment"/> list.</summary>
    public const string SegmentsKey = "segments";

    /// <summary>The key of the detected (or given) speech language, ISO 639-1.</summary>
    public const string LanguageKey = "language";

    /// <summary>The key of the audio length in seconds (a <see cref="double"/>).</summary>
    public const string DurationKey = "duration";

    /// <summary>Gets the segments of a response from an OffGrid transcription client.</summary>
    /// <param name="response">The response.</param>
    /// <returns>The segments, in order; empty when the response carries none.</returns>
    public static IReadOnlyList<TranscriptionSegment> GetSegments(this SpeechToTextResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return response.AdditionalProperties?.TryGetValue(SegmentsKey, out object? value) == true && value is IReadOnlyList<TranscriptionSegment> segments ? segments : [];
    }

    /// <summary>Gets the speech language of a response (detected, or the one asked for).</summary>
    /// <param name="response">The response.</param>
    /// <returns>The ISO 639-1 code, or <see langword="null"/>.</returns>
    public static string? GetLanguage(this SpeechToTextResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return response.AdditionalProperties?.TryGetValue(LanguageKey, out object? value) == true ? value as string : null;
    }

    /// <summary>Gets the length of the transcribed audio.</summary>
    /// <param name="response">The response.</param>
    /// <returns>The length, or <see langword="null"/> when the response does not say.</returns>
    public static TimeSpan? GetAudioDuration(this SpeechToTextResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return response.AdditionalProperties?.TryGetValue(DurationKey, out object? value) == true && value is double seconds ? TimeSpan.FromSeconds(seconds) : null;
    }
}
