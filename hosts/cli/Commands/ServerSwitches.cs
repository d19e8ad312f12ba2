using System.CommandLine;
using OffGrid.Cli.Server;

namespace OffGrid.Cli.Commands;

/// <summary>
/// The switches of the commands that talk to a running OffGrid server: <c>--server</c> (its address, default this machine's
/// <c>offgrid serve</c>) and <c>--api-key</c> (or <c>OFFGRID_API_KEY</c>, which keeps the key off command lines others can read).
/// </summary>
internal sealed class ServerSwitches
{
    /// <summary>The variable an API key is read from when <c>--api-key</c> is not given.</summary>
    public const string ApiKeyVariable = "OFFGRID_API_KEY";

    /// <summary>Creates the switches for one command.</summary>
    public ServerSwitches()
    {
        Server = Address("The OffGrid server's address.");
        ApiKey = new Option<string?>("--api-key") { Description = $"An administrator's API key for a multi-user server (default: ${ApiKeyVariable}); none for a single-user one." };
    }

    /// <summary><c>--server</c>.</summary>
    public Option<Uri> Server { get; }

    /// <summary><c>--api-key</c>.</summary>
    public Option<string?> ApiKey { get; }

    /// <summary>A <c>--server</c> option: an http(s) address, <c>http://127.0.0.1:11611/</c> when omitted.</summary>
    public static Option<Uri> Address(string description) => new("--server")
    {
        Description = description,
        DefaultValueFactory = _ => new Uri("http://127.0.0.1:11611/"),
        CustomParser = result =>
        {
            string text = result.Tokens[0].Value;
            if (Uri.TryCreate(text, UriKind.Absolute, out Uri? uri) && uri.Scheme is "http" or "https")
            {
                return uri;
            }

            result.AddError($"'{text}' is not an http(s) address.");
            return null;
        },
    };

    /// <summary>Adds both switches to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Add(Server);
        command.Add(ApiKey);
    }

    /// <summary>A connection to the server the command line names.</summary>
    public ServerConnection Connect(ParseResult parse) =>
        new(parse.GetRequiredValue(Server), parse.GetValue(ApiKey) ?? Environment.GetEnvironmentVariable(ApiKeyVariable));
}
