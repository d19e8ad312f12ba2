using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.RegularExpressions;
using OffGrid.AspNetCore.Hosting;

namespace OffGrid.Cli.Commands;

/// <summary>
/// Turns System.CommandLine's parse errors into the one sentence a user reads: values described in words ("a number"),
/// never .NET type names, and a "did you mean" for a misspelled command or option.
/// </summary>
internal static partial class UsageErrors
{
    /// <summary>The one line for a command line that did not parse, ending with where to read the command's help.</summary>
    public static string Describe(ParseResult parse)
    {
        // A misspelled command also reports "Required command was not provided"; the misspelling is the useful line.
        ParseError error = parse.Errors.OrderBy(e => e.Message.StartsWith("Required command", StringComparison.Ordinal)).First();
        string message = Unparsable().Match(error.Message) is { Success: true } value
            ? $"'{value.Groups["value"].Value}' is not a valid value for {value.Groups["symbol"].Value}: expected {Expected(value.Groups["type"].Value)}."
            : Unrecognized().Match(error.Message) is { Success: true } unknown && Suggest(parse.CommandResult.Command, unknown.Groups["token"].Value) is { } suggestion
                ? $"{Sentence(error.Message)} Did you mean '{suggestion}'?"
                : Sentence(error.Message);
        return $"{message} See '{CommandPath(parse.CommandResult)} --help'.";
    }

    /// <summary>The subcommand or option of <paramref name="command"/> closest to a misspelled <paramref name="token"/>, if one is close (<see cref="NameSuggestion"/>).</summary>
    internal static string? Suggest(Command command, string token) => NameSuggestion.For(
        token,
        token.StartsWith('-')
            ? command.Options.Where(o => !o.Hidden).SelectMany(o => o.Aliases.Prepend(o.Name))
            : command.Subcommands.Where(c => !c.Hidden).SelectMany(c => c.Aliases.Prepend(c.Name)));

    private static string Expected(string typeName) => typeName switch
    {
        _ when typeName.Contains("Int", StringComparison.Ordinal) => "a whole number",
        _ when typeName.Contains("Single", StringComparison.Ordinal) || typeName.Contains("Double", StringComparison.Ordinal) || typeName.Contains("Decimal", StringComparison.Ordinal) => "a number",
        _ when typeName.Contains("Boolean", StringComparison.Ordinal) => "true or false",
        _ when typeName.Contains("TimeSpan", StringComparison.Ordinal) => "a duration such as 00:30:00",
        _ => "a value of another form",
    };

    private static string Sentence(string text) => text.TrimEnd().EndsWith('.') ? text.TrimEnd() : text.TrimEnd() + ".";

    private static string CommandPath(CommandResult command)
    {
        var names = new Stack<string>();
        for (SymbolResult? result = command; result is CommandResult current; result = current.Parent)
        {
            names.Push(current.Parent is null ? "offgrid" : current.Command.Name);
        }

        return string.Join(' ', names);
    }

    [GeneratedRegex(@"^Cannot parse argument '(?<value>.*)' for (option|command|argument) '(?<symbol>[^']*)' as expected type '(?<type>[^']*)'")]
    private static partial Regex Unparsable();

    // System.CommandLine's own words for an unknown token, and CommandHelp.RejectingOptions's for an option where an argument goes.
    [GeneratedRegex(@"^Unrecognized (command or argument|option) '(?<token>[^']*)'")]
    private static partial Regex Unrecognized();
}
