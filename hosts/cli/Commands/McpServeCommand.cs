using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OffGrid.AspNetCore;
using OffGrid.Cli.Output;
using OffGrid.Cli.Runtime;
using OffGrid.Hub;

namespace OffGrid.Cli.Commands;

/// <summary>
/// <c>offgrid mcp serve</c>: OffGrid's tools (<c>chat</c>, <c>embed</c>, <c>list_models</c>, <c>show_model</c>) for an MCP
/// client that starts this process, over standard input and output. Models are found as <c>offgrid serve</c> finds them;
/// standard output carries only the protocol, logs go to standard error.
/// </summary>
internal sealed class McpServeCommand : Command
{
    private readonly CliConsole _console;
    private readonly Option<string[]> _modelDirectories = new("--models-dir") { Description = "A folder whose .gguf files are served by file name (repeatable).", AllowMultipleArgumentsPerToken = false };

    /// <summary>Creates the command.</summary>
    public McpServeCommand(CliConsole console)
        : base("serve", CommandHelp.Describe(
            "Serve OffGrid's tools to an MCP client over stdio (Claude Desktop, VS Code, any MCP client): chat with a local model, embed, list and show models. " +
            "Put it in the client's mcp.json as {\"command\":\"offgrid\",\"args\":[\"mcp\",\"serve\"]}. Server settings pass through as switches (--Server:Models:qwen=/models/qwen.gguf).",
            "offgrid mcp serve",
            "offgrid mcp serve --models-dir ./models"))
    {
        _console = console;
        TreatUnmatchedTokensAsErrors = false;
        Add(_modelDirectories);
        SetAction(ExecuteAsync);
    }

    private async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        await RuntimeLoader.LoadAsync(_console, options: null, cancellationToken).ConfigureAwait(false);
        string[] args = [.. parse.UnmatchedTokens];
        string[] directories = [.. (parse.GetValue(_modelDirectories) ?? []).Select(Path.GetFullPath)];
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddEnvironmentVariables("OFFGRID_");
        builder.Configuration.AddCommandLine(args);

        // Standard output is the protocol channel: every log line goes to standard error.
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("OffGrid.Inference.Engine", LogLevel.Warning);

        OffGridServerBuilder server = builder.Services.AddOffGridServer(options =>
        {
            builder.Configuration.GetSection(OffGridServerOptions.SectionName).Bind(options);
            options.ModelDirectories.AddRange(directories);
        });
        builder.Services.AddOptions<HubOptions>().Bind(builder.Configuration.GetSection("Hub"));
        server.AddMcpServer().WithStdioServerTransport();
        using IHost host = builder.Build();
        try
        {
            await host.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OptionsValidationException ex)
        {
            foreach (string failure in ex.Failures)
            {
                FailureReporter.WriteLine(Console.Error, failure);
            }

            return FailureReporter.Failed;
        }

        return 0;
    }
}
