// MEAI001: the speech abstractions are experimental in Microsoft.Extensions.AI 10.11.0.
#pragma warning disable MEAI001

using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.AI;
using OffGrid.Cli.Output;
using OffGrid.Speech.Audio;
using OffGrid.Speech.Synthesis;
using Spectre.Console;

namespace OffGrid.Cli.Commands;

/// <summary><c>offgrid say "text" -o out.wav</c>: text to speech with a local voice.</summary>
internal sealed class SayCommand : Command
{
    private readonly CliConsole _console;
    private readonly Func<ITextToSpeechClient> _speech;
    private readonly Argument<string?> _text = new Argument<string?>("text") { Description = "What to say; read from standard input when left out.", Arity = ArgumentArity.ZeroOrOne }.RejectingOptions();
    private readonly Option<string> _output = new("--output", "-o") { Description = "The audio file to write; its extension picks the format (.wav, .mp3, .opus, .flac, .aac, .pcm).", Required = true };
    private readonly Option<string?> _voice = new("--voice", "-v") { Description = "The voice, as 'offgrid voices' lists it (espeak:en-us, piper:en_US-lessac-medium) or its short id." };
    private readonly Option<string?> _language = new("--language", "-l") { Description = "Pick the first voice that speaks this language (en, de, fr-fr…) when no voice is given." };
    private readonly Option<float> _speed = new("--speed") { Description = "Speaking speed, 0.25 to 4.", DefaultValueFactory = _ => 1f };
    private readonly Option<string?> _format = new("--format") { Description = "The audio format when the file extension does not say it: wav, mp3, opus, flac, aac, pcm." };

    /// <summary>Creates the command.</summary>
    public SayCommand(CliConsole console, Func<ITextToSpeechClient> speech)
        : base("say", CommandHelp.Describe(
            "Speak text into an audio file with a local voice (espeak-ng needs no download; Piper voices sound natural).",
            "offgrid say \"Hello from OffGrid\" -o hello.wav",
            "offgrid say \"Guten Tag\" --language de -o hallo.mp3",
            "echo \"Read this aloud.\" | offgrid say -o read.wav --voice espeak:en-gb --speed 1.2"))
    {
        _console = console;
        _speech = speech;
        Add(_text);
        Add(_output);
        Add(_voice);
        Add(_language);
        Add(_speed);
        Add(_format);
        SetAction(ExecuteAsync);
    }

    private async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        string? text = parse.GetValue(_text);
        if (text is null && _console.IsInputRedirected)
        {
            text = await _console.Input.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            FailureReporter.WriteLine(Console.Error, "Give the text to say as an argument or on standard input. See 'offgrid say --help'.");
            return FailureReporter.UsageError;
        }

        string output = Path.GetFullPath(parse.GetRequiredValue(_output));
        AudioFormat format = AudioFormat.Parse(parse.GetValue(_format) ?? (Path.GetExtension(output) is { Length: > 0 } extension ? extension : "wav"));
        using ITextToSpeechClient speech = _speech();
        TextToSpeechResponse response = await speech.GetAudioAsync(text, new TextToSpeechOptions
        {
            VoiceId = parse.GetValue(_voice),
            Language = parse.GetValue(_language),
            Speed = parse.GetValue(_speed),
            AudioFormat = format.Name,
        }, cancellationToken).ConfigureAwait(false);

        DataContent audio = response.Contents.OfType<DataContent>().Single();
        string staging = output + ".partial";
        await File.WriteAllBytesAsync(staging, audio.Data.ToArray(), cancellationToken).ConfigureAwait(false);
        File.Move(staging, output, overwrite: true);
        double seconds = response.AdditionalProperties?.TryGetValue("duration", out object? d) == true && d is double value ? value : 0;
        _console.Error.MarkupLineInterpolated($"[green]{Path.GetFileName(output)}[/]: {seconds.ToString("0.0", CultureInfo.InvariantCulture)} s of {format.Name}, voice {response.ModelId}.");
        return 0;
    }
}
