using System.CommandLine;
using OffGrid.Cli.Models;
using OffGrid.Cli.Output;
using Spectre.Console;

namespace OffGrid.Cli.Commands;

/// <summary><c>offgrid rm &lt;model&gt;...</c>: deletes stored models.</summary>
internal sealed class RemoveCommand : Command
{
    private readonly CliConsole _console;
    private readonly HubServices _hub;
    private readonly Argument<string[]> _models = new Argument<string[]>("model") { Description = "Stored model names (as 'offgrid list' shows them) or the references they were pulled with.", Arity = ArgumentArity.OneOrMore }.RejectingOptions();

    /// <summary>Creates the command.</summary>
    public RemoveCommand(CliConsole console, HubServices hub)
        : base("rm", CommandHelp.Describe(
            "Delete models from the local store (a model imported by reference keeps its original file).",
            "offgrid rm llama3.2",
            "offgrid rm bartowski/Llama-3.2-3B-Instruct-GGUF:Q4_K_M"))
    {
        _console = console;
        _hub = hub;
        Aliases.Add("remove");
        Add(_models);
        SetAction(ExecuteAsync);
    }

    private async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        foreach (string model in parse.GetRequiredValue(_models))
        {
            if (!await _hub.Store.RemoveAsync(model, cancellationToken).ConfigureAwait(false))
            {
                throw new KeyNotFoundException($"No stored model matches '{model}'; 'offgrid list' shows the stored models.");
            }

            _console.Out.MarkupLineInterpolated($"Removed {model}.");
        }

        return 0;
    }
}
