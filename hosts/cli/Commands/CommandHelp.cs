using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace OffGrid.Cli.Commands;

/// <summary>
/// Shared pieces of the command definitions: descriptions with examples, argument checks, and the help layout. A
/// command's description is a one-paragraph summary, optionally followed by examples (<see cref="Describe"/>); lists of
/// commands show the summary only, and a command's own <c>--help</c> ends with its examples.
/// </summary>
internal static class CommandHelp
{
    private const string ExamplesHeading = "Examples:";

    /// <summary>Joins a one-paragraph summary and example command lines, shown by <c>--help</c>.</summary>
    public static string Describe(string summary, params string[] examples) =>
        summary + Environment.NewLine + Environment.NewLine + ExamplesHeading + Environment.NewLine +
        string.Join(Environment.NewLine, examples.Select(e => "  " + e));

    /// <summary>The summary of a description made by <see cref="Describe"/> (or the whole description).</summary>
    public static string Summary(string? description)
    {
        string text = description ?? string.Empty;
        int examples = text.IndexOf(ExamplesHeading, StringComparison.Ordinal);
        return (examples >= 0 ? text[..examples] : text).Trim();
    }

    /// <summary>Makes a misspelled option (<c>--tempreature</c>) an error instead of a value of <paramref name="argument"/>.</summary>
    public static T RejectingOptions<T>(this T argument)
        where T : Argument
    {
        argument.Validators.Add(result =>
        {
            foreach (var token in result.Tokens.Where(t => t.Value.Length > 1 && t.Value.StartsWith('-') && !double.TryParse(t.Value, out _)))
            {
                result.AddError($"Unrecognized option '{token.Value}'.");
            }
        });
        return argument;
    }

    /// <summary>Replaces the help of <paramref name="root"/> and every command under it with <see cref="HelpLayout"/>.</summary>
    public static void UseOffGridHelp(this RootCommand root)
    {
        foreach (HelpOption help in root.Options.OfType<HelpOption>())
        {
            help.Action = new HelpLayout();
        }

        root.SetAction(parse => new HelpLayout().Invoke(parse));
    }

    /// <summary>
    /// <c>--help</c>: System.CommandLine's help with the command's summary at the top, one-line summaries in lists of
    /// commands (<c>run &lt;model&gt; [prompt]</c>: square brackets for an optional argument), configuration switches
    /// instead of "additional arguments" for a command that passes unknown switches through (<c>offgrid serve
    /// --Server:Port 8080</c>), and the command's examples at the end.
    /// </summary>
    private sealed class HelpLayout : SynchronousCommandLineAction
    {
        private const string PassThroughUsage = "[[--] <additional arguments>...]]";

        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            Command command = parseResult.CommandResult.Command;
            List<Command> described = [command, .. command.Subcommands];
            Dictionary<Command, string?> descriptions = described.ToDictionary(c => c, c => c.Description);
            TextWriter output = parseResult.InvocationConfiguration.Output;
            var help = new StringWriter();
            try
            {
                // The help builder of System.CommandLine 2.0 is internal: render its text with summaries in place of the descriptions.
                described.ForEach(c => c.Description = Summary(c.Description));
                parseResult.InvocationConfiguration.Output = help;
                new HelpAction().Invoke(parseResult);
            }
            finally
            {
                parseResult.InvocationConfiguration.Output = output;
                described.ForEach(c => c.Description = descriptions[c]);
            }

            string text = help.ToString().TrimEnd().Replace(PassThroughUsage, "[--<Section>:<Key> <value>...]", StringComparison.Ordinal);
            foreach (Command sub in command.Subcommands)
            {
                // "<x>" and "[x]" have the same length, so the columns stay aligned.
                string label = string.Concat(sub.Arguments.Where(a => !a.Hidden).Select(a => $" <{a.Name}>").Prepend(sub.Name));
                text = text.Replace("  " + label + " ", "  " + Label(sub) + " ", StringComparison.Ordinal);
            }

            output.WriteLine(text);
            if (command.Subcommands.Count > 0)
            {
                output.WriteLine();
                output.WriteLine($"Run '{CommandPath(command)} <command> --help' for a command's options and examples.");
            }

            string description = descriptions[command] ?? string.Empty;
            int examples = description.IndexOf(ExamplesHeading, StringComparison.Ordinal);
            if (examples >= 0)
            {
                output.WriteLine();
                output.WriteLine(description[examples..].TrimEnd());
            }

            return 0;
        }

        /// <summary><c>run &lt;model&gt; [prompt]</c>: required arguments in angle brackets, optional ones in square brackets.</summary>
        private static string Label(Command command) =>
            string.Concat(command.Arguments.Where(a => !a.Hidden).Select(a => a.Arity.MinimumNumberOfValues > 0 ? $" <{a.Name}>" : $" [{a.Name}]").Prepend(command.Name));

        // Parents holds the direct parent only: walk up to the root for 'offgrid kb nodes'.
        private static string CommandPath(Command command) =>
            command is RootCommand ? "offgrid"
            : command.Parents.OfType<Command>().FirstOrDefault() is { } parent ? $"{CommandPath(parent)} {command.Name}"
            : command.Name;
    }
}
