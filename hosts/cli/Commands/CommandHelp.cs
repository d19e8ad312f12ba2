using System.CommandLine;

namespace OffGrid.Cli.Commands;

/// <summary>Shared pieces of the command definitions: descriptions with examples, and argument checks.</summary>
internal static class CommandHelp
{
    /// <summary>Joins a one-line summary and example command lines, shown by <c>--help</c>.</summary>
    public static string Describe(string summary, params string[] examples) =>
        summary + Environment.NewLine + Environment.NewLine + "Examples:" + Environment.NewLine +
        string.Join(Environment.NewLine, examples.Select(e => "  " + e));

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
}
