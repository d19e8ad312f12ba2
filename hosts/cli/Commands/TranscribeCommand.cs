// MEAI001: the speech abstractions are experimental in Microsoft.Extensions.AI 10.11.0.
#pragma warning disable MEAI001

using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.AI;
using OffGrid.Cli.Models;
using OffGrid.Cli.Output;
using OffGrid.Speech.Transcription;
using Spectre.Console;

namespace OffGrid.Cli.Commands;

/// <summary><c>offgrid transcribe &lt;file&gt;</c>: speech to text with a local Whisper model.</summary>
internal sealed class TranscribeCommand : Command
{
    private readonly CliConsole _console;
    private readonly ModelLocator _locator;
    private readonly Argument<string> _file = new Argument<string>("file") { Description = "The audio file: WAV, MP3, Ogg Vorbis (and, with ffmpeg installed, FLAC, Opus, M4A, WebM)." }.RejectingOptions();
    private readonly Option<string> _model = new("--model", "-m") { Description = "The Whisper model: an alias (whisper-tiny, whisper-base, whisper-small, whisper-medium, whisper-large-v3, their -q5_1/-q8_0 variants), owner/repo/ggml-x.bin, a stored model or a .bin path.", DefaultValueFactory = _ => "whisper-base" };
    private readonly Option<string?> _language = new("--language", "-l") { Description = "The spoken language (ISO 639-1: en, de, fr…); detected when left out." };
    private readonly Option<bool> _translate = new("--translate") { Description = "Translate the speech into English." };
    private readonly Option<string> _format = new Option<string>("--format", "-f") { Description = "Output: text, json (segments with times), srt or vtt.", DefaultValueFactory = _ => "text" }.AcceptOnlyFromAmong("text", "json", "srt", "vtt");
    private readonly Option<int> _threads = new Option<int>("--threads", "-t") { Description = "CPU threads; all cores (up to 8) by default." }.Between(1);

    /// <summary>Creates the command.</summary>
    public TranscribeCommand(CliConsole console, ModelLocator locator)
        : base("transcribe", CommandHelp.Describe(
            "Turn speech into text with a local Whisper model (downloaded on first use). Text streams as it is recognized.",
            "offgrid transcribe meeting.mp3",
            "offgrid transcribe interview.wav --model whisper-small --language de --translate",
            "offgrid transcribe talk.ogg --format srt > talk.srt"))
    {
        _console = console;
        _locator = locator;
        Add(_file);
        Add(_model);
        Add(_language);
        Add(_translate);
        Add(_format);
        Add(_threads);
        SetAction(ExecuteAsync);
    }

    private async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        string file = Path.GetFullPath(parse.GetRequiredValue(_file));
        if (!File.Exists(file))
        {
            throw new FileNotFoundException($"The audio file '{file}' does not exist.", file);
        }

        string model = parse.GetRequiredValue(_model);
        string format = parse.GetRequiredValue(_format);
        string modelPath = await _locator.LocateSpeechModelAsync(model, cancellationToken).ConfigureAwait(false);
        using var client = new WhisperSpeechToTextClient(new WhisperClientOptions { ModelPath = modelPath, ModelId = model, Threads = parse.GetValue(_threads) });
        var options = new SpeechToTextOptions { SpeechLanguage = parse.GetValue(_language), TextLanguage = parse.GetValue(_translate) ? "en" : null };

        await using FileStream audio = File.OpenRead(file);
        var segments = new List<TranscriptionSegment>();
        string? language = null;
        double duration = 0;
        await foreach (SpeechToTextResponseUpdate update in client.GetStreamingTextAsync(audio, options, cancellationToken).ConfigureAwait(false))
        {
            if (update.Kind == SpeechToTextResponseUpdateKind.SessionOpen)
            {
                // Said once the audio has decoded, so that bad input fails with its one line only.
                _console.Error.MarkupLineInterpolated($"[grey]Transcribing {Path.GetFileName(file)} with {model}…[/]");
            }
            else if (update.RawRepresentation is TranscriptionSegment segment)
            {
                segments.Add(segment);
                if (format == "text")
                {
                    // Text streams; the structured formats are written whole at the end.
                    _console.Text.Write(segments.Count == 1 ? segment.Text.TrimStart() : segment.Text);
                    _console.Text.Flush();
                }
            }
            else if (update.Kind == SpeechToTextResponseUpdateKind.SessionClose && update.AdditionalProperties is { } closing)
            {
                language = closing.TryGetValue(SpeechToTextResponseExtensions.LanguageKey, out object? l) ? l as string : null;
                duration = closing.TryGetValue(SpeechToTextResponseExtensions.DurationKey, out object? d) && d is double seconds ? seconds : 0;
            }
        }

        switch (format)
        {
            case "json":
                _console.WriteJson(new
                {
                    Text = string.Concat(segments.Select(s => s.Text)).Trim(),
                    Language = language,
                    Duration = Math.Round(duration, 3),
                    Model = model,
                    Segments = segments.Select(s => new { s.Id, Start = Math.Round(s.Start.TotalSeconds, 3), End = Math.Round(s.End.TotalSeconds, 3), Text = s.Text.Trim() }),
                });
                break;
            case "srt":
                _console.Text.Write(SubtitleFormat.ToSrt(segments));
                break;
            case "vtt":
                _console.Text.Write(SubtitleFormat.ToVtt(segments));
                break;
            default:
                _console.Text.WriteLine();
                break;
        }

        _console.Error.MarkupLineInterpolated($"[grey]{segments.Count} segments, {duration.ToString("0.0", CultureInfo.InvariantCulture)} s of audio, language {language ?? "?"}.[/]");
        return 0;
    }
}
