using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using OffGrid.AspNetCore.Http;
using OffGrid.AspNetCore.Ollama;
using OffGrid.AspNetCore.OpenAi;
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

        // Framework chatter stays out of the console unless configuration asks for it (Logging:LogLevel:Microsoft.AspNetCore).
        if (builder.Configuration["Logging:LogLevel:Microsoft.AspNetCore"] is null)
        {
            builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        }

        builder.Logging.AddFilter("OffGrid.Inference.Engine", LogLevel.Warning);

        // A start failure is reported by RunAsync in one line; the host's own report of it is a stack trace.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);

        // MEAI's telemetry middleware logs every failed call with its stack trace, client mistakes and disconnects
        // included; the API error filter already logs the server's own failures.
        builder.Logging.AddFilter("Microsoft.Extensions.AI", LogLevel.Error);

        OffGridServerBuilder server = builder.Services.AddOffGridServer(configure);
        server.ConfigureChatClients((pipeline, _) => pipeline.UseOpenTelemetry(sourceName: OffGridServerTelemetry.SourceName));
        server.ConfigureEmbeddingGenerators((pipeline, _) => pipeline.UseOpenTelemetry(sourceName: OffGridServerTelemetry.SourceName));
        server.AddKnowledge();
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

        // Unknown routes and wrong methods answer in the API's own error shape, not with an empty body.
        app.UseStatusCodePages(context => StatusCodeBodyAsync(context.HttpContext));
        app.MapOpenAi();
        app.MapOllama();
        app.MapOffGrid();
        app.MapOffGridKnowledge();
        app.MapOffGridHealth();
        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapOffGridWebUi();
        app.MapOffGridPeerSharing(); // answers LAN peers only while sharing is on (offgrid share on)
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
                await error.WriteLineAsync($"{programName}: {OneLine(failure)}").ConfigureAwait(false);
            }

            return 1;
        }
        catch (InvalidOperationException ex) when (ex.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal))
        {
            // The configuration binder's message names the setting, the value and the type.
            await error.WriteLineAsync($"{programName}: {OneLine(ex.InnerException?.Message is { } reason ? $"{ex.Message} ({reason})" : ex.Message)}").ConfigureAwait(false);
            return 1;
        }
        catch (IOException ex) when (options is not null && ex.InnerException is System.Net.Sockets.SocketException socket)
        {
            await error.WriteLineAsync($"{programName}: cannot listen on {options.Host}:{options.Port}: {socket.Message}").ConfigureAwait(false);
            return 1;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested || app is not null)
        {
            // Stopped (Ctrl+C, SIGTERM) before it had finished starting.
            return 0;
        }
        finally
        {
            if (app is not null)
            {
                await app.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static Task StatusCodeBodyAsync(HttpContext http)
    {
        int status = http.Response.StatusCode;
        string message = status switch
        {
            StatusCodes.Status404NotFound => $"There is no {http.Request.Path} here.",
            StatusCodes.Status405MethodNotAllowed => $"{http.Request.Method} is not allowed on {http.Request.Path}.",
            _ => $"The request failed with status {status}.",
        };
        var error = new ApiError(status, message);
        object? body = http.Request.Path.StartsWithSegments("/api") ? OllamaShapes.Error(error)
            : http.Request.Path.StartsWithSegments("/v1") ? OpenAiShapes.Error(error)
            : null;
        return body is null ? Task.CompletedTask : http.Response.WriteAsJsonAsync(body, ServerJson.Options);
    }

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
