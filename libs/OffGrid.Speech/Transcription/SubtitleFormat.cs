using System.Globalization;
using System.Text;

namespace OffGrid.Speech.Transcription;

/// <summary>Writes transcription segments as subtitles: SubRip (<c>.srt</c>) and WebVTT (<c>.vtt</c>).</summary>
/// <remarks>Stateless and thread-safe. Segment text is trimmed; empty segments are skipped and the rest renumbered from 1.</remarks>
public static class SubtitleFormat
{
    /// <summary>Writes SubRip: numbered cues, <c>HH:MM:SS,mmm --&gt; HH:MM:SS,mmm</c>, a blank line after each.</summary>
    /// <param name="segments">The segments, in order.</param>
    /// <returns>The file's text (LF line ends).</returns>
    public static string ToSrt(IEnumerable<TranscriptionSegment> segments)
    {
        ArgumentNullException.ThrowIfNull(segments);
        var text = new StringBuilder();
        int number = 1;
        foreach (TranscriptionSegment segment in segments.Where(s => !string.IsNullOrWhiteSpace(s.Text)))
        {
            text.Append(number++.ToString(CultureInfo.InvariantCulture)).Append('\n')
                .Append(Time(segment.Start, ',')).Append(" --> ").Append(Time(segment.End, ',')).Append('\n')
                .Append(segment.Text.Trim()).Append("\n\n");
        }

        return text.ToString();
    }

    /// <summary>Writes WebVTT: the <c>WEBVTT</c> header, then cues <c>HH:MM:SS.mmm --&gt; HH:MM:SS.mmm</c>.</summary>
    /// <param name="segments">The segments, in order.</param>
    /// <returns>The file's text (LF line ends).</returns>
    public static string ToVtt(IEnumerable<TranscriptionSegment> segments)
    {
        ArgumentNullException.ThrowIfNull(segments);
        var text = new StringBuilder("WEBVTT\n\n");
        foreach (TranscriptionSegment segment in segments.Where(s => !string.IsNullOrWhiteSpace(s.Text)))
        {
            text.Append(Time(segment.Start, '.')).Append(" --> ").Append(Time(segment.End, '.')).Append('\n')
                .Append(segment.Text.Trim()).Append("\n\n");
        }

        return text.ToString();
    }

    private static string Time(TimeSpan time, char separator) => string.Create(CultureInfo.InvariantCulture,
        $"{(int)time.TotalHours:00}:{time.Minutes:00}:{time.Seconds:00}{separator}{time.Milliseconds:000}");
}
