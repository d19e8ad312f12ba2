namespace OffGrid.Speech.Transcription;

/// <summary>One stretch of recognized speech with its place in the audio.</summary>
/// <param name="Id">The 0-based index of the segment in its transcription.</param>
/// <param name="Start">Where the segment starts, from the beginning of the audio.</param>
/// <param name="End">Where the segment ends; never before <paramref name="Start"/> nor after the end of the audio.</param>
/// <param name="Text">The recognized (or translated) text, with Whisper's leading space when it has one.</param>
/// <param name="Probability">The mean token probability in [0, 1], a rough confidence.</param>
/// <param name="Language">The language Whisper decoded the segment in (ISO 639-1, for example <c>en</c>).</param>
public sealed record TranscriptionSegment(int Id, TimeSpan Start, TimeSpan End, string Text, float Probability, string? Language);
