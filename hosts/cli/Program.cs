using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using OffGrid.Cli.Commands;
using OffGrid.Cli.Governance;
using OffGrid.Cli.Models;
using OffGrid.Cli.Output;

namespace OffGrid.Cli;

/// <summary>The <c>offgrid</c> entry point: parses the command line, runs the command, and reports failures in one line.</summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        var console = new CliConsole();
        using var interrupts = new ConsoleInterrupts();
        using var hub = new HubServices();
        using var governance = new GovernanceServices();
        ParseResult parse = new OffGridRootCommand(console, interrupts, hub, governance).Parse(args);
        if (parse.Action is ParseErrorAction)
        {
            // A misspelled command also reports "Required command was not provided"; the misspelling is the useful line.
            ParseError error = parse.Errors.OrderBy(e => e.Message.StartsWith("Required command", StringComparison.Ordinal)).First();
            FailureReporter.WriteLine(Console.Error, $"{error.Message} See '{CommandPath(parse.CommandResult)} --help'.");
            return FailureReporter.UsageError;
        }

        try
        {
            var invocation = new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null };
            return await parse.InvokeAsync(invocation, interrupts.CommandToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            return FailureReporter.Report(ex, Console.Error);
        }
    }

    private static string CommandPath(CommandResult command)
    {
        var names = new Stack<string>();
        for (SymbolResult? result = command; result is CommandResult current; result = current.Parent)
        {
            names.Push(current.Parent is null ? "offgrid" : current.Command.Name);
        }

        return string.Join(' ', names);
    }
}
