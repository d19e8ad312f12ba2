using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OffGrid.AspNetCore.Hosting;
using OffGrid.Cli.Output;
using OffGrid.Cli.Runtime;
using OffGrid.Governance;
using OffGrid.AspNetCore;
using OffGrid.Hub.Gguf;
using OffGrid.Hub.References;
using OffGrid.Inference.Engine;
using OffGrid.Inference.Pooling;
using Spectre.Console;

namespace OffGrid.Cli.Commands;

/// <summary>
/// <c>offgrid serve</c>: the OffGrid server (OpenAI- and Ollama-compatible APIs, web UI) in this process, with the
/// same configuration as <c>offgrid-server</c>: appsettings, <c>OFFGRID_</c> variables and <c>--Server:*</c> switches.
/// It starts with a banner (addresses, models, authentication) instead of the framework's log lines.
/// </summary>
internal sealed class ServeCommand : Command
{
    private readonly CliConsole _console;
    private readonly Option<string?> _host = new("--host") { Description = "The address to listen on: an IP address, localhost, or * for every interface (default 127.0.0.1)." };
    private readonly Option<int?> _port = new Option<int?>("--port", "-p") { Description = "The TCP port (default 11611; 0 picks a free one)." }.Between(0, 65535);
    private readonly Option<string[]> _modelDirectories = new("--models-dir") { Description = "A folder whose .gguf files are served by file name (repeatable).", AllowMultipleArgumentsPerToken = false };
    private readonly Option<string[]> _preload = new("--preload") { Description = "A model to load at start; /health answers 503 until it is loaded (repeatable)." };
    private readonly Option<int?> _threads = ThreadsOption.Create("each loaded model", "-t");
    private readonly Option<int?> _contextSize = new Option<int?>("--ctx-size", "-c", "--ctx") { Description = "The context of each parallel sequence in tokens (default: the model's training context, at most 4096)." }.Between(LlamaModelPool.MinimumContextSize);
    private readonly Option<int?> _parallel = new Option<int?>("--parallel", "-np") { Description = "Requests each model decodes together (continuous batching), each with its own --ctx-size (default 4)." }.Between(1, 256);
    private readonly KvCacheOptions _kvCache = new();
    private readonly SpeculationSwitches _speculation = new();
    private readonly Option<bool> _verbose = new("--verbose", "-v") { Description = "Show the framework's log (requests, start and stop) as well." };

    /// <summary>Creates the command.</summary>
    public ServeCommand(CliConsole console)
        : base("serve", CommandHelp.Describe(
            "Serve the models of this machine over OpenAI-compatible (/v1) and Ollama-compatible (/api) HTTP APIs, with a web UI at /. " +
            "The engine options (--threads/-t, --ctx-size/-c, --parallel/-np, --flash-attn/-fa, --cache-type-k/-ctk, --cache-type-v/-ctv, --draft-model/-md) " +
            "take llama-server's names and set the Server:Pool:Engine settings. " +
            "Other server settings pass through as configuration switches (--Server:MaxRequestBodyBytes 1048576); a misspelled one stops the start with the closest name. " +
            "Without keys it serves this machine only; --Server:Auth:Mode MultiUser requires an API key (offgrid keys create) on every API route.",
            "offgrid serve",
            "offgrid serve --port 8080 --preload llama3.2",
            "offgrid serve --models-dir ./models --Server:Pool:KeepAlive 00:30:00",
            "offgrid serve -t 2 -c 8192 -np 2 -fa on -ctk q8_0 -ctv q8_0",
            "offgrid serve --preload qwen2.5-7b --draft-model qwen2.5-0.5b",
            "offgrid serve --host '*' --Server:Auth:Mode MultiUser"))
    {
        _console = console;
        TreatUnmatchedTokensAsErrors = false;
        Add(_host);
        Add(_port);
        Add(_modelDirectories);
        Add(_preload);
        Add(_threads);
        Add(_contextSize);
        Add(_parallel);
        _kvCache.AddTo(this);
        _speculation.AddTo(this, drafterFromConfiguration: true);
        Add(_verbose);
        SetAction(ExecuteAsync);
    }

    private async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        try
        {
            ConfigurationSwitchException.ThrowIfInvalid(parse.UnmatchedTokens);
        }
        catch (ConfigurationSwitchException ex)
        {
            string mistake = ex.Option is not null && UsageErrors.Suggest(this, ex.Option) is { } suggestion
                ? $"Unrecognized option '{ex.Option}'. Did you mean '{suggestion}'?"
                : ex.Message;
            FailureReporter.WriteLine(Console.Error, $"{mistake} See 'offgrid {Name} --help'.");
            return FailureReporter.UsageError;
        }

        // The server loads models through the library, which would install a missing runtime silently on the first request.
        await RuntimeLoader.LoadAsync(_console, options: null, cancellationToken).ConfigureAwait(false);
        string? host = parse.GetValue(_host);
        int? port = parse.GetValue(_port);
        string[] directories = [.. (parse.GetValue(_modelDirectories) ?? []).Select(Path.GetFullPath)];
        string[] preload = parse.GetValue(_preload) ?? [];
        string[] engine = [.. EngineSwitches(parse), .. _kvCache.ToConfigurationSwitches(parse), .. _speculation.ToConfigurationSwitches(parse)];

        // The banner says what "Now listening on" said, and more; --verbose brings the framework's log back.
        string[] logging = parse.GetValue(_verbose)
            ? ["--Logging:LogLevel:Microsoft.AspNetCore=Information"]
            : ["--Logging:LogLevel:Microsoft.Hosting.Lifetime=Warning"];
        return await OffGridWebApplication.RunAsync(
            () =>
            {
                WebApplication app = OffGridWebApplication.Create([.. parse.UnmatchedTokens, .. engine, .. logging], options =>
                {
                    options.Host = host ?? options.Host;
                    options.Port = port ?? options.Port;
                    options.ModelDirectories.AddRange(directories);
                    options.Preload.AddRange(preload);
                });
                app.Lifetime.ApplicationStarted.Register(() => _ = WriteBannerAsync(app, cancellationToken));
                return app;
            },
            "offgrid",
            Console.Error,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The threads, context and parallel options as the settings they stand for (after the raw switches, so they win).</summary>
    private IEnumerable<string> EngineSwitches(ParseResult parse)
    {
        if (ThreadsOption.Read(parse, _threads, _console) is { } threads)
        {
            yield return EngineSwitch.For(nameof(LlamaEngineOptions.Threads), threads);
        }

        if (parse.GetValue(_contextSize) is { } context)
        {
            yield return EngineSwitch.For(nameof(LlamaEngineOptions.ContextSize), context);
        }

        if (parse.GetValue(_parallel) is { } parallel)
        {
            yield return EngineSwitch.For(nameof(LlamaEngineOptions.ParallelSequences), parallel);
        }
    }

    /// <summary>The engine settings every model runs with, as configured from all sources (the draft model as resolved at start).</summary>
    private static string DescribeEngine(LlamaEngineOptions engine)
    {
        string threads = engine.Threads switch
        {
            null => "threads adapted to the free cores",
            1 => "1 thread",
            { } n => $"{n} threads",
        };
        string context = engine.ContextSize is { } size ? $"{size} tokens" : "the model's context (at most 4096 tokens)";
        string flash = engine.FlashAttention switch
        {
            true => "on",
            false => "off",
            null => "auto",
        };
        string cache = $"{(engine.CacheTypeK ?? GgmlType.F16).ToString().ToLowerInvariant()}/{(engine.CacheTypeV ?? GgmlType.F16).ToString().ToLowerInvariant()}";
        string drafting = engine.Speculation.DraftModelPath is { } draft ? $", draft model {draft}"
            : engine.Speculation.NgramSize is > 0 and { } ngram ? $", prompt-lookup drafting ({ngram}-grams)"
            : string.Empty;
        return $"{threads}, {context} × {engine.ParallelSequences} parallel sequences, flash attention {flash}, KV cache {cache}{drafting}";
    }

    private async Task WriteBannerAsync(WebApplication app, CancellationToken cancellationToken)
    {
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "?";
        IReadOnlyList<LocalModel> models = await app.Services.GetRequiredService<ModelResolver>().ListAsync(cancellationToken).ConfigureAwait(false);
        string auth = app.Services.GetRequiredService<IOptions<GovernanceOptions>>().Value.Mode == GovernanceMode.MultiUser
            ? "API keys (multi-user): every route but /health, /metrics, the web page and sign-in needs one"
            : "none (single-user): this machine only; --Server:Auth:Mode MultiUser requires API keys";

        var grid = new Grid().AddColumn(new GridColumn().NoWrap().PadRight(2)).AddColumn();
        grid.AddRow(new Text("Web UI"), new Text(address + "/"));
        grid.AddRow(new Text("OpenAI API"), new Text(address + "/v1"));
        grid.AddRow(new Text("Ollama API"), new Text(address + "/api"));
        grid.AddRow(new Text("Models"), new Text(models.Count > 0
            ? string.Join(", ", models.Select(m => m.Name))
            : "none yet: pull one (offgrid pull <model>), or pass --models-dir"));
        grid.AddRow(new Text("Engine"), new Text(DescribeEngine(app.Services.GetRequiredService<IOptions<OffGridServerOptions>>().Value.Pool.Engine)));
        grid.AddRow(new Text("Auth"), new Text(auth));
        _console.Out.MarkupLineInterpolated($"[bold]OffGrid server on {address}[/]");
        _console.Out.Write(grid);
        _console.Out.MarkupLine("[grey]Ctrl+C stops the server.[/]");
    }
}
