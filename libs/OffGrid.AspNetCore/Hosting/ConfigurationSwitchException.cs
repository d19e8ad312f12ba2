namespace OffGrid.AspNetCore.Hosting;

/// <summary>
/// A command-line token that <see cref="OffGridWebApplication.Create"/> cannot take as configuration: not a switch that
/// names its section (<c>--Server:Port 8080</c>, <c>--Server:Pool:KeepAlive=00:30:00</c>), or such a switch without a value.
/// ASP.NET Core's command-line configuration would keep <c>--prot 8080</c> as a setting nobody reads and drop a switch
/// without a value; this is the usage error the user hears instead. Also thrown for a setting of an OffGrid section (from any
/// configuration source) that no setting matches, such as <c>Server:Pool:Engnie:ContextSize</c>, naming the closest one, or
/// whose value cannot be bound, such as <c>--Server:Isolation=Bogus</c>, naming the values it accepts.
/// </summary>
public sealed class ConfigurationSwitchException : Exception
{
    /// <summary>An example of a well-formed switch, for messages.</summary>
    public const string Example = "--Server:Pool:KeepAlive 00:30:00";

    /// <summary>Creates the exception.</summary>
    /// <param name="message">One sentence naming the token and what was expected.</param>
    /// <param name="option">The unrecognized option (<c>--prot</c>) when the token looked like one, for "did you mean"; otherwise <see langword="null"/>.</param>
    public ConfigurationSwitchException(string message, string? option = null)
        : base(message)
    {
        Option = option;
    }

    /// <summary>Gets the unrecognized option when the token looked like one (<c>--prot</c>), otherwise <see langword="null"/>.</summary>
    public string? Option { get; }

    /// <summary>Throws for the first of <paramref name="tokens"/> that is not a configuration switch or its value.</summary>
    /// <param name="tokens">Command-line tokens, in order.</param>
    /// <exception cref="ConfigurationSwitchException">A token is not a configuration switch, or a switch has no value.</exception>
    public static void ThrowIfInvalid(IReadOnlyList<string> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        for (int i = 0; i < tokens.Count; i++)
        {
            string token = tokens[i];
            bool inlineValue = token.Contains('=', StringComparison.Ordinal);
            if (!token.StartsWith('-'))
            {
                throw new ConfigurationSwitchException($"Unrecognized argument '{token}': expected configuration switches such as {Example}.");
            }

            string key = token.Split('=', 2)[0];
            bool hostSetting = key.Equals("--environment", StringComparison.OrdinalIgnoreCase);
            if (!hostSetting && (!key.StartsWith("--", StringComparison.Ordinal) || !key.Contains(':', StringComparison.Ordinal) || key.EndsWith(':')))
            {
                throw new ConfigurationSwitchException($"Unrecognized option '{key}'. Configuration switches name their section, such as {Example}.", key);
            }

            if (!inlineValue && i + 1 >= tokens.Count)
            {
                throw new ConfigurationSwitchException($"The configuration switch '{key}' needs a value ({key}=value, or {key} value).");
            }

            if (!inlineValue)
            {
                i++; // the switch's value
            }
        }
    }
}
