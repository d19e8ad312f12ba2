using System.CommandLine;

namespace OffGrid.Cli.Commands;

/// <summary>
/// The tokens <c>offgrid serve</c> passes on to the server's configuration: switches that name a configuration section
/// (<c>--Server:Port 8080</c>, <c>--Server:Pool:KeepAlive=00:30:00</c>), each with its value. Anything else is a mistake
/// the user should hear about: ASP.NET Core's command-line configuration would take <c>--prot 8080</c> as a setting
/// nobody reads, and drop a switch without a value.
/// </summary>
internal static class ConfigurationSwitches
{
    private const string Example = "--Server:Pool:KeepAlive 00:30:00";

    /// <summary>The usage error for the first token of <paramref name="tokens"/> that is not a configuration switch or its value, or <see langword="null"/> when all are.</summary>
    /// <param name="command">The command the tokens were left over from, for "did you mean" and the help hint.</param>
    /// <param name="tokens">The tokens the command's options did not match, in command-line order.</param>
    /// <returns>One sentence ending with where to read the command's help.</returns>
    public static string? FindMistake(Command command, IReadOnlyList<string> tokens)
    {
        for (int i = 0; i < tokens.Count; i++)
        {
            string token = tokens[i];
            string? mistake = Describe(command, token, hasValue: token.Contains('=', StringComparison.Ordinal) || i + 1 < tokens.Count);
            if (mistake is not null)
            {
                return $"{mistake} See 'offgrid {command.Name} --help'.";
            }

            if (!token.Contains('=', StringComparison.Ordinal))
            {
                i++; // the switch's value
            }
        }

        return null;
    }

    private static string? Describe(Command command, string token, bool hasValue)
    {
        if (!token.StartsWith('-'))
        {
            return $"Unrecognized argument '{token}': {command.Name} takes options and configuration switches such as {Example}.";
        }

        string key = token.Split('=', 2)[0];
        if (!key.StartsWith("--", StringComparison.Ordinal) || !key.Contains(':', StringComparison.Ordinal) || key.EndsWith(':'))
        {
            return UsageErrors.Suggest(command, key) is { } suggestion
                ? $"Unrecognized option '{key}'. Did you mean '{suggestion}'?"
                : $"Unrecognized option '{key}'. Configuration switches name their section, such as {Example}.";
        }

        return hasValue ? null : $"The configuration switch '{key}' needs a value ({key}=value, or {key} value).";
    }
}
