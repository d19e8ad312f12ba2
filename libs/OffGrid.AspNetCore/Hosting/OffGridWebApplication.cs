using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using OffGrid.Hub;

namespace OffGrid.AspNetCore.Hosting;

/// <summary>
/// The OffGrid server as a whole application, shared by <c>offgrid-server</c> and <c>offgrid serve</c>: configuration
/// from appsettings.json, then <c>OFFGRID_</c> environment variables, then the command line (<c>--Server:Port 8080</c>),
/// with the <c>Server</c> section bound to <see cref="OffGridServerOptions"/> and <c>Hub</c> to <see cref="HubOptions"/>;
/// Kestrel on <see cref="OffGridServerOptions.Host"/>:<see cref="OffGridServerOptions.Port"/>; every OffGrid surface
/// mapped (<c>/v1</c> OpenAI, <c>/api</c> Ollama, OffGrid's own API, <c>/health</c>, <c>/metrics</c>, the web UI at
/// <c>/</c>); chat pipelines with Microsoft.Extensions.AI's OpenTelemetry middleware. An app that only needs some
/// endpoints calls <c>AddOffGridServer</c> and the <c>Map*</c> methods itself instead.
/// </summary>
public static class OffGridWebApplication
{
    /// <summary>Builds the application; run it with <see cref="RunAsync"/> (or start it yourself).</summary>
    /// <exception cref="OptionsValidationException">The server options are invalid (host, port, model files and folders).</exception>
    /// <param name="args">Command-line configuration switches, such as <c>--Server:Port 8080</c>.</param>
    /// <param name="configure">Adjusts the options after configuration is bound.</param>
    /// <param name="configureServer">Adds middleware to the model pipelines (after the OpenTelemetry middleware).</param>
    /// <returns>The application, not yet started.</returns>
    public static WebApplication Create(string[] args, Action<OffGridServerOptions>? configure = null, Action<OffGridServerBuilder>? configureServer = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        WebApplicationBuilder builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddEnvironmentVariables("OFFGRID_");
        builder.Configuration.AddCommandLine(args); // the command line wins over the environment

        // Framework chatter stays out of the console unless configuration asks for it.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("OffGrid.Inference.Engine", LogLevel.Warning);

        OffGridServerBuilder server = builder.Services.AddOffGridServer(options =>
        {
            builder.Configuration.GetSection(OffGridServerOptions.SectionName).Bind(options);
            configure?.Invoke(options);
        });
        builder.Services.AddOptions<HubOptions>().Bind(builder.Configuration.GetSection("Hub"));
        server.ConfigureChatClients((pipeline, _) => pipeline.UseOpenTelemetry(sourceName: OffGridServerTelemetry.SourceName));
        server.ConfigureEmbeddingGenerators((pipeline, _) => pipeline.UseOpenTelemetry(sourceName: OffGridServerTelemetry.SourceName));
        configureServer?.Invoke(server);

        builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<OffGridServerOptions>>((kestrel, options) =>
        {
            OffGridServerOptions o = options.Value;
            kestrel.Limits.MaxRequestBodySize = o.MaxRequestBodyBytes;
            switch (o.Host)
            {
                case "localhost":
                    kestrel.ListenLocalhost(o.Port);
                    break;
                case "*":
                    kestrel.ListenAnyIP(o.Port);
                    break;
                default:
                    kestrel.Listen(IPAddress.Parse(o.Host), o.Port);
                    break;
            }
        });
        builder.Services.AddOptions<HostOptions>().Configure<IOptions<OffGridServerOptions>>((host, options) => host.ShutdownTimeout = options.Value.ShutdownTimeout);

        WebApplication app = builder.Build();
        app.MapOpenAi();
        app.MapOllama();
        app.MapOffGrid();
        app.MapOffGridHealth();
        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapOffGridWebUi();
        return app;
    }

    /// <summary>
    /// Builds the application with <paramref name="create"/> and runs it until it is stopped, turning the failures a user
    /// causes at start (a port in use, invalid settings) into plain lines on <paramref name="error"/> instead of a stack trace.
    /// </summary>
    /// <param name="create">Builds the application, typically with <see cref="Create"/>.</param>
    /// <param name="programName">The name to start each error line with, such as <c>offgrid-server</c>.</param>
    /// <param name="error">Where the error lines go (standard error).</param>
    /// <param name="cancellationToken">Stops the application.</param>
    /// <returns>0 after a normal stop; 1 when the server could not start.</returns>
    public static async Task<int> RunAsync(Func<WebApplication> create, string programName, TextWriter error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(create);
        ArgumentNullException.ThrowIfNull(error);
        WebApplication? app = null;
        OffGridServerOptions? options = null;
        try
        {
            app = create();
            options = app.Services.GetRequiredService<IOptions<OffGridServerOptions>>().Value;
            await app.RunAsync(cancellationToken).ConfigureAwait(false);
            return 0;
        }
        catch (IOException ex) when (ex.InnerException is AddressInUseException && options is not null)
        {
            await error.WriteLineAsync($"{programName}: {options.Host}:{options.Port} is already in use; stop the other server or choose another port (--port, or --Server:Port).").ConfigureAwait(false);
            return 1;
        }
        catch (OptionsValidationException ex)
        {
            foreach (string failure in ex.Failures)
            {
                await error.WriteLineAsync($"{programName}: {failure}").ConfigureAwait(false);
            }

            return 1;
        }
        finally
        {
            if (app is not null)
            {
                await app.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
