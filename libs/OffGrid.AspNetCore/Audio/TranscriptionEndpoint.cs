// MEAI001: the speech abstractions are experimental in Microsoft.Extensions.AI 10.11.0.
#pragma warning disable MEAI001

using System.Globalization;
using System.IO.Compression;
using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Primitives;
using OffGrid.AspNetCore.Http;
using OffGrid.Speech.Transcription;

namespace OffGrid.AspNetCore.Audio;

/// <summary>
/// <c>POST /v1/audio/transcriptions</c> and <c>/v1/audio/translations</c> (multipart form: <c>file</c>, <c>model</c>,
/// <c>language</c>, <c>prompt</c>, <c>temperature</c>, <c>response_format</c> json|text|srt|vtt|verbose_json,
/// <c>timestamp_granularities[]</c> segment). Reference: https://platform.openai.com/docs/api-reference/audio.
/// </summary>
internal static class TranscriptionEndpoint
{
    private static readonly string[] s_formats = ["json", "text", "srt", "vtt", "verbose_json"];

    public static Task<IResult> TranscribeAsync(HttpContext http, SpeechClients speech) => HandleAsync(http, speech.SpeechToText, translate: false);

    public static Task<IResult> TranslateAsync(HttpContext http, SpeechClients speech) => HandleAsync(http, speech.SpeechToText, translate: true);

    private static async Task<IResult> HandleAsync(HttpContext http, ISpeechToTextClient speech, bool translate)
    {
        CancellationToken cancellationToken = http.RequestAborted;
        if (!http.Request.HasFormContentType)
        {
            throw ApiException.BadRequest("Send the audio as multipart/form-data with a 'file' field.", "file");
        }

        IFormCollection form = await http.Request.ReadFormAsync(cancellationToken);
        IFormFile file = form.Files.GetFile("file") ?? throw ApiException.BadRequest("The 'file' field with the audio is missing.", "file");
        string format = Field(form, "response_format") ?? "json";
        if (!s_formats.Contains(format))
        {
            throw ApiException.BadRequest($"'response_format' must be one of {string.Join(", ", s_formats)}.", "response_format");
        }

        StringValues granularities = form.TryGetValue("timestamp_granularities[]", out StringValues values) ? values : form["timestamp_granularities"];
        if (granularities.Any(g => g is not ("segment" or "word")))
        {
            throw ApiException.BadRequest("'timestamp_granularities' may hold 'segment' and 'word'.", "timestamp_granularities");
        }

        if (granularities.Contains("word"))
        {
            throw ApiException.BadRequest("Word timestamps are not available; ask for 'segment' granularity.", "timestamp_granularities");
        }

        var options = new SpeechToTextOptions
        {
            ModelId = Field(form, "model"),
            SpeechLanguage = translate ? null : Field(form, "language"),
            TextLanguage = translate ? "en" : null,
            AdditionalProperties = [],
        };
        if (Field(form, "prompt") is { } prompt)
        {
            options.AdditionalProperties["prompt"] = prompt;
        }

        if (Field(form, "temperature") is { } temperatureText)
        {
            options.AdditionalProperties["temperature"] = float.TryParse(temperatureText, NumberStyles.Float, CultureInfo.InvariantCulture, out float temperature) && temperature is >= 0 and <= 1
                ? temperature
                : throw ApiException.BadRequest("'temperature' must be a number from 0 to 1.", "temperature");
        }

        await using Stream audio = file.OpenReadStream();
        SpeechToTextResponse response = await speech.GetTextAsync(audio, options, cancellationToken);
        IReadOnlyList<TranscriptionSegment> segments = response.GetSegments();
        return format switch
        {
            "text" => Results.Text(response.Text + "\n", "text/plain; charset=utf-8"),
            "srt" => Results.Text(SubtitleFormat.ToSrt(segments), "text/plain; charset=utf-8"),
            "vtt" => Results.Text(SubtitleFormat.ToVtt(segments), "text/plain; charset=utf-8"), // as OpenAI sends it (its SDKs read text/plain)
            "verbose_json" => Results.Json(new
            {
                task = translate ? "translate" : "transcribe",
                language = response.GetLanguage(),
                duration = response.GetAudioDuration()?.TotalSeconds ?? 0,
                text = response.Text,
                segments = segments.Select(s => new
                {
                    id = s.Id,
                    seek = (int)(s.Start.TotalSeconds * 100),
                    start = s.Start.TotalSeconds,
                    end = s.End.TotalSeconds,
                    text = s.Text,
                    tokens = Array.Empty<int>(),
                    temperature = 0.0,
                    avg_logprob = Math.Log(Math.Max(s.Probability, 1e-6)),
                    compression_ratio = CompressionRatio(s.Text),
                    no_speech_prob = 0.0,
                }),
            }, ServerJson.Options),
            _ => Results.Json(new { text = response.Text }, ServerJson.Options),
        };
    }

    private static string? Field(IFormCollection form, string name) => form.TryGetValue(name, out StringValues value) && !StringValues.IsNullOrEmpty(value) ? value.ToString() : null;

    /// <summary>Whisper's repetition measure: text bytes over their gzip-compressed bytes (about 1 for ordinary speech, high for loops).</summary>
    private static double CompressionRatio(string text)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        if (bytes.Length == 0)
        {
            return 0;
        }

        using var compressed = new MemoryStream();
        using (var gzip = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(bytes);
        }

        return Math.Round((double)bytes.Length / compressed.Length, 3);
    }
}
