using System.CommandLine;
using OffGrid.AspNetCore.Hosting;
using OffGrid.Cli.Output;
using OffGrid.Cli.Runtime;

namespace OffGrid.Cli.Commands;

/// <summary>
/// <c>offgrid serve</c>: the OffGrid server (OpenAI- and Ollama-compatible APIs, web UI) in this process, with the
/// same configuration as <c>offgrid-server</c>: appsettings, <c>OFFGRID_</c> variables and <c>--Server:*</c> switches.
/// </summary>
internal sealed class ServeCommand : Command
{
    private readonly CliConsole _console;
    private readonly Option<string?> _host = new("--host") { Description = "The address to listen on: an IP address, localhost, or * for every interface (default 127.0.0.1)." };
    private readonly Option<int?> _port = new("--port", "-p") { Description = "The TCP port (default 11611; 0 picks a free one)." };
    private readonly Option<string[]> _modelDirectories = new("--models-dir") { Description = "A folder whose .gguf files are served by file name (repeatable).", AllowMultipleArgumentsPerToken = false };
    private readonly Option<string[]> _preload = new("--preload") { Description = "A model to load at start; /health answers 503 until it is loaded (repeatable)." };

    /// <summary>Creates the command.</summary>
    public ServeCommand(CliConsole console)
        : base("serve", CommandHelp.Describe(
            "Serve the models of this machine over OpenAI-compatible (/v1) and Ollama-compatible (/api) HTTP APIs, with a web UI at /. " +
            "Other server settings pass through as configuration switches (--Server:MaxRequestBodyBytes 1048576). " +
            "Without keys it serves this machine only; --Server:Auth:Mode MultiUser requires an API key (offgrid keys create) on every API route.",
            "offgrid serve",
            "offgrid serve --port 8080 --preload llama3.2",
            "offgrid serve --models-dir ./models --Server:Pool:KeepAlive 00:30:00",
            "offgrid serve --host '*' --Server:Auth:Mode MultiUser"))
    {
        _console = console;
        TreatUnmatchedTokensAsErrors = false;
        Add(_host);
        Add(_port);
        Add(_modelDirectories);
        Add(_preload);
        SetAction(ExecuteAsync);
    }

    private async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        // The server loads models through the library, which would install a missing runtime silently on the first request.
        await RuntimeLoader.LoadAsync(_console, options: null, cancellationToken).ConfigureAwait(false);
        string? host = parse.GetValue(_host);
        int? port = parse.GetValue(_port);
        string[] directories = [.. (parse.GetValue(_modelDirectories) ?? []).Select(Path.GetFullPath)];
        string[] preload = parse.GetValue(_preload) ?? [];
        return await OffGridWebApplication.RunAsync(
            () => OffGridWebApplication.Create([.. parse.UnmatchedTokens], options =>
            {
                options.Host = host ?? options.Host;
                options.Port = port ?? options.Port;
                options.ModelDirectories.AddRange(directories);
                options.Preload.AddRange(preload);
            }),
            "offgrid",
            Console.Error,
            cancellationToken).ConfigureAwait(false);
    }
}
