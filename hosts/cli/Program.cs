using System.CommandLine;
using System.CommandLine.Invocation;
using OffGrid.Cli.Commands;
using OffGrid.Cli.Distribution;
using OffGrid.Cli.Governance;
using OffGrid.Cli.Knowledge;
using OffGrid.Cli.Models;
using OffGrid.Cli.Output;
using OffGrid.Cli.Tools;

namespace OffGrid.Cli;

/// <summary>The <c>offgrid</c> entry point: parses the command line, runs the command, and reports failures in one line.</summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        var console = new CliConsole();
        using var interrupts = new ConsoleInterrupts();
        using var hub = new HubServices(console);
        using var knowledge = new KnowledgeServices(console, hub);
        using var distribution = new DistributionServices();
        using var governance = new GovernanceServices();
        await using var agents = new AgentServices();
        ParseResult parse = new OffGridRootCommand(console, interrupts, hub, knowledge, distribution, governance, agents).Parse(args);
        if (parse.Action is ParseErrorAction)
        {
            FailureReporter.WriteLine(Console.Error, UsageErrors.Describe(parse));
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
}
