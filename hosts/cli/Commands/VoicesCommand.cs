// MEAI001: the speech abstractions are experimental in Microsoft.Extensions.AI 10.11.0.
#pragma warning disable MEAI001

using System.CommandLine;
using Microsoft.Extensions.AI;
using OffGrid.Cli.Output;
using OffGrid.Speech.Synthesis;
using Spectre.Console;

namespace OffGrid.Cli.Commands;

/// <summary><c>offgrid voices</c>: the text-to-speech voices on this machine.</summary>
internal sealed class VoicesCommand : Command
{
    private readonly CliConsole _console;
    private readonly Func<ITextToSpeechClient> _speech;
    private readonly Option<string?> _language = new("--language", "-l") { Description = "Only voices that speak this language (en, de, pt-br…)." };
    private readonly Option<bool> _json = new("--json") { Description = "Write the list as JSON." };

    /// <summary>Creates the command.</summary>
    public VoicesCommand(CliConsole console, Func<ITextToSpeechClient> speech)
        : base("voices", CommandHelp.Describe("List the voices 'offgrid say' can speak with, and their languages.", "offgrid voices", "offgrid voices --language de", "offgrid voices --json"))
    {
        _console = console;
        _speech = speech;
        Add(_language);
        Add(_json);
        SetAction(ExecuteAsync);
    }

    private async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        using ITextToSpeechClient speech = _speech();
        IReadOnlyList<SpeechVoice> voices = await speech.GetService<ISpeechVoiceSource>()!.GetVoicesAsync(cancellationToken).ConfigureAwait(false);
        if (parse.GetValue(_language) is { } language)
        {
            voices = voices.Where(v => v.Speaks(language)).ToList();
        }

        if (parse.GetValue(_json))
        {
            _console.WriteJson(voices.Select(v => new { v.Id, v.Name, v.Engine, v.Languages, v.Gender }));
            return 0;
        }

        if (voices.Count == 0)
        {
            _console.Out.MarkupLine("No voices. Install espeak-ng (apt-get install espeak-ng), or pull a Piper voice.");
            return 0;
        }

        var table = new Table().Border(TableBorder.Rounded).AddColumn("Voice").AddColumn("Name").AddColumn("Languages").AddColumn("Engine");
        foreach (SpeechVoice voice in voices)
        {
            table.AddRow(Markup.Escape(voice.Id), Markup.Escape(voice.Name), Markup.Escape(string.Join(", ", voice.Languages)), voice.Engine);
        }

        _console.Out.Write(table);
        _console.Error.MarkupLineInterpolated($"[grey]{voices.Count} voices, {voices.Select(v => v.Languages[0].Split('-')[0]).Distinct().Count()} languages.[/]");
        return 0;
    }
}
