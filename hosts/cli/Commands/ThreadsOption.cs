using System.CommandLine;
using OffGrid.Cli.Output;
using Spectre.Console;

namespace OffGrid.Cli.Commands;

/// <summary>
/// The <c>--threads</c> option of the commands that run a model. A value above the cores this process may use is
/// lowered to them with a warning: llama.cpp's threads wait for each other at every step, so surplus threads take
/// turns on the cores and a token takes seconds instead of milliseconds.
/// </summary>
internal static class ThreadsOption
{
    /// <summary>Creates the option; <paramref name="what"/> says what the threads run (<c>generation</c>); <paramref name="aliases"/> such as llama.cpp's <c>-t</c> where the command has no other use for it.</summary>
    public static Option<int?> Create(string what, params string[] aliases) => new Option<int?>("--threads", aliases)
    {
        Description = $"CPU threads for {what}. Default: the free physical cores, adapted to other load while it runs; "
            + "a value given here is used as is, not adapted, and lowered to the cores this process may use.",
    }.Between(1);

    /// <summary>The parsed value, lowered to <see cref="Environment.ProcessorCount"/> with a warning on standard error.</summary>
    public static int? Read(ParseResult parse, Option<int?> option, CliConsole console)
    {
        int? threads = parse.GetValue(option);
        int cores = Environment.ProcessorCount;
        if (threads is not { } requested || requested <= cores)
        {
            return threads;
        }

        console.Error.MarkupLineInterpolated($"[yellow]Warning: --threads {requested} is more than the {cores} cores this process may use; using {cores}.[/]");
        return cores;
    }
}
