using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OffGrid.Agents;
using OffGrid.AspNetCore.Http;
using OffGrid.Governance;
using OffGrid.Governance.AspNetCore;
using OffGrid.Hub;
using OffGrid.Speech;

namespace OffGrid.AspNetCore.Hosting;

/// <summary>
/// The OffGrid server as a whole application, shared by <c>offgrid-server</c> and <c>offgrid serve</c>: configuration
/// from appsettings.json, then <c>OFFGRID_</c> environment variables, then the command line (<c>--Server:Port 8080</c>),
/// with the <c>Server</c> section bound to <see cref="OffGridServerOptions"/>, <c>Server:Auth</c> to
/// <see cref="GovernanceOptions"/>, <c>Hub</c> to <see cref="HubOptions"/> and <c>Agents</c> to <see cref="AgentOptions"/>;
/// Kestrel on <see cref="OffGridServerOptions.Host"/>:<see cref="OffGridServerOptions.Port"/> (HTTPS with a configured certificate);
/// governance always on: single-user (no keys, loopback only; the default) or multi-user (an API key on every route but
/// <c>/health</c>, <c>/metrics</c>, the web page and <c>/v1/auth/login</c>), with quotas and the audit log in every
/// model's pipeline; CORS and a per-client rate limit when configured; every OffGrid surface mapped (<c>/v1</c> OpenAI
/// and governance, <c>/api</c> Ollama, OffGrid's own API with its tools and MCP servers, <c>/mcp</c> for MCP clients,
/// <c>/health</c>, <c>/metrics</c>, the web UI at <c>/</c>); chat pipelines with Microsoft.Extensions.AI's OpenTelemetry
/// middleware, then function invocation for the server's tools; with <c>Server:Isolation</c> <c>Process</c>, local models run in
/// a worker process that is this program started again (<see cref="ModelIsolation.Process"/>). An app that only needs some endpoints calls
/// <c>AddOffGridServer</c> and the <c>Map*</c> methods itself instead.
/// </summary>
public static class OffGridWebApplication
{
    /// <summary>The configuration section bound to <see cref="GovernanceOptions"/>: <c>Server:Auth:Mode</c>, <c>Server:Auth:Ldap:Host</c>….</summary>
    public const string AuthSectionName = "Server:Auth";

    /// <summary>The configuration section bound to <see cref="AgentOptions"/> (tools, MCP servers, agents).</summary>
    private const string AgentsSectionName = "Agents";

    /// <summary>The exit code of <see cref="RunAsync"/> for a usage error on the command line, as command-line tools use it.</summary>
    public const int UsageErrorExitCode = 2;

    /// <summary>The headers a browser page may read from a cross-origin answer: when to retry and what is left.</summary>
    private static readonly string[] s_exposedHeaders =
    [
        "Retry-After", "x-ratelimit-limit-requests", "x-ratelimit-remaining-requests", "x-ratelimit-reset-requests",
        "x-ratelimit-limit-tokens", "x-ratelimit-remaining-tokens", "x-ratelimit-reset-tokens",
        "x-ratelimit-limit-concurrent", "x-ratelimit-remaining-concurrent", "x-ratelimit-reset-concurrent",
    ];

    /// <summary>Builds the application; run it with <see cref="RunAsync"/> (or start it yourself).</summary>
    /// <exception cref="OptionsValidationException">The server options are invalid (host, port, model files and folders).</exception>
    /// <exception cref="ConfigurationSwitchException">A token of <paramref name="args"/> is not a configuration switch with its value, or a setting of <c>Server</c>, <c>Hub</c>, <c>Agents</c> or <c>Speech</c> (from any configuration source) has a key no setting matches (such as <c>Server:Pool:Engnie:ContextSize</c>) or a value that cannot be bound (such as <c>--Server:Isolation=Bogus</c>).</exception>
    /// <param name="args">Command-line configuration switches, such as <c>--Server:Port 8080</c> (and <c>--environment</c>).</param>
    /// <param name="configure">Adjusts the options after configuration is bound.</param>
    /// <param name="configureServer">Adds middleware to the model pipelines (after the OpenTelemetry middleware).</param>
    /// <returns>The application, not yet started.</returns>
    public static WebApplication Create(string[] args, Action<OffGridServerOptions>? configure = null, Action<OffGridServerBuilder>? configureServer = null)
    {
        ConfigurationSwitchException.ThrowIfInvalid(args);
        WebApplicationBuilder builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddEnvironmentVariables("OFFGRID_");
        builder.Configuration.AddCommandLine(args); // the command line wins over the environment
        ThrowIfUnbindable(builder.Configuration, args);

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
#pragma warning disable MEAI001 // the speech abstractions are experimental in Microsoft.Extensions.AI 10.11.0
        server.ConfigureSpeechToTextClients(pipeline => pipeline.UseOpenTelemetry(sourceName: OffGridServerTelemetry.SourceName));
        server.ConfigureTextToSpeechClients(pipeline => pipeline.UseOpenTelemetry(sourceName: OffGridServerTelemetry.SourceName));
#pragma warning restore MEAI001
        server.AddKnowledge();
        AddGovernance(builder, server);

        // After governance, so that quotas admit a request before its tool rounds spend tokens.
        server.AddTools(options => builder.Configuration.GetSection(AgentsSectionName).Bind(options));
        server.AddMcpServer().WithHttpTransport();
        configureServer?.Invoke(server);
        builder.Services.AddSingleton<ModelWorker>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ModelWorker>());
        ModelWorkerRole.Configure(builder);

        builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<OffGridServerOptions>>((kestrel, options) => Listen(kestrel, options.Value));
        builder.Services.AddOptions<HostOptions>().Configure<IOptions<OffGridServerOptions>>((host, options) => host.ShutdownTimeout = options.Value.ShutdownTimeout);
        AddCors(builder.Services);
        AddRateLimit(builder.Services);

        WebApplication app = builder.Build();
        ModelWorkerRole.RequireKey(app);

        // A request that came back around a loop of backends is refused before it can cause another.
        app.UseOffGridHops();

        // Unknown routes and wrong methods answer in the API's own error shape, not with an empty body.
        app.UseOffGridStatusCodePages();

        // CORS first, so that browsers' preflight requests need no key; the rate limit before authentication, so that a
        // flood costs no key lookups (and fills no audit log).
        app.UseCors();
        app.UseRateLimiter();
        app.UseOffGridGovernance();
        app.MapOpenAi().RequireOffGridApiKey();
        app.MapOllama().RequireOffGridApiKey();
        app.MapOffGrid().RequireOffGridApiKey();
        app.MapOffGridKnowledge().RequireOffGridApiKey();
        app.MapOffGridTools().RequireOffGridApiKey();
        app.MapOffGridAgents().RequireOffGridApiKey();
        app.MapOffGridToolAdministration().RequireOffGridApiKey(); // its endpoints are admin-only (RequiredRole.Admin)
        app.MapOffGridMcp().RequireOffGridApiKey();
        app.MapOffGridGovernance();
        app.MapOffGridHealth().AllowPublic();
        app.MapPrometheusScrapingEndpoint("/metrics").AllowPublic();
        app.MapOffGridWebUi().AllowPublic();

        // LAN peers sign their requests with the network secret (HMAC), not with API keys; answered only while sharing is on.
        app.MapOffGridPeerSharing().AllowPublic();
        return app;
    }

    /// <summary>
    /// Refuses, as a usage error naming the setting, a switch whose section is a near miss of an OffGrid section
    /// (<c>--Sever:Port</c>), a key of an OffGrid section that no setting matches (with the closest known one) and a value
    /// that cannot be bound (with what it accepts): otherwise the binder would ignore the first two and fail on the last
    /// with .NET type names.
    /// </summary>
    private static void ThrowIfUnbindable(IConfiguration configuration, string[] args)
    {
        string[] sections = [OffGridServerOptions.SectionName, HubOptions.SectionName, AgentsSectionName, SpeechOptions.SectionName];
        string? error = ConfigurationValues.CheckSwitchSections(args, sections) ?? ConfigurationValues
            .Check(configuration.GetSection(OffGridServerOptions.SectionName), typeof(OffGridServerOptions), "Auth")
            .Concat(ConfigurationValues.Check(configuration.GetSection(AuthSectionName), typeof(GovernanceOptions)))
            .Concat(ConfigurationValues.Check(configuration.GetSection(HubOptions.SectionName), typeof(HubOptions)))
            .Concat(ConfigurationValues.Check(configuration.GetSection(AgentsSectionName), typeof(AgentOptions)))
            .Concat(ConfigurationValues.Check(configuration.GetSection(SpeechOptions.SectionName), typeof(SpeechOptions)))
            .FirstOrDefault();
        if (error is not null)
        {
            throw new ConfigurationSwitchException(error);
        }
    }

    /// <summary>
    /// Governance from <c>Server:Auth</c>, its files beside the Hub's (<c>Hub:HomeDirectory</c>/governance) unless
    /// <c>Server:Auth:DirectoryPath</c> says otherwise, and single-user mode held to loopback.
    /// </summary>
    private static void AddGovernance(WebApplicationBuilder builder, OffGridServerBuilder server)
    {
        IConfigurationSection auth = builder.Configuration.GetSection(AuthSectionName);
        server.WithGovernance(auth.Bind);
        builder.Services.AddOptions<GovernanceOptions>().Configure<IOptions<HubOptions>>((governance, hub) =>
        {
            if (auth[nameof(GovernanceOptions.DirectoryPath)] is null)
            {
                governance.DirectoryPath = Path.Combine(hub.Value.HomeDirectory, "governance");
            }
        });
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OffGridServerOptions>, SingleUserHostValidator>());
    }

    private static void Listen(KestrelServerOptions kestrel, OffGridServerOptions options)
    {
        kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes;
        X509Certificate2? certificate = options.CertificatePath is null ? null : ServerCertificate.Load(options);
        Action<ListenOptions> listen = endpoint =>
        {
            if (certificate is not null)
            {
                endpoint.UseHttps(certificate);
            }
        };
        switch (options.Host)
        {
            case "localhost":
                kestrel.ListenLocalhost(options.Port, listen);
                break;
            case "*":
                kestrel.ListenAnyIP(options.Port, listen);
                break;
            default:
                kestrel.Listen(IPAddress.Parse(options.Host), options.Port, listen);
                break;
        }
    }

    private static void AddCors(IServiceCollection services)
    {
        services.AddCors();
        services.AddOptions<CorsOptions>().Configure<IOptions<OffGridServerOptions>>((cors, options) => cors.AddDefaultPolicy(policy => policy
            .WithOrigins([.. options.Value.CorsOrigins])
            .AllowAnyHeader()
            .AllowAnyMethod()
            .WithExposedHeaders(s_exposedHeaders)));
    }

    private static void AddRateLimit(IServiceCollection services)
    {
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<OffGridServerOptions>>((limiter, options) =>
        {
            int perMinute = options.Value.RequestsPerMinutePerClient;
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http => perMinute == 0
                ? RateLimitPartition.GetNoLimiter(string.Empty)
                : RateLimitPartition.GetFixedWindowLimiter(
                    http.Connection.RemoteIpAddress?.ToString() ?? string.Empty,
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = perMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
            limiter.OnRejected = (context, _) =>
            {
                TimeSpan retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan wait) ? wait : TimeSpan.FromMinutes(1);
                HttpResponse response = context.HttpContext.Response;
                string reset = Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture) + "s";
                response.Headers["x-ratelimit-limit-requests"] = perMinute.ToString(CultureInfo.InvariantCulture);
                response.Headers["x-ratelimit-remaining-requests"] = "0";
                response.Headers["x-ratelimit-reset-requests"] = reset;
                return new ValueTask(ApiErrorFilter.WriteAsync(context.HttpContext, new ApiError(
                    StatusCodes.Status429TooManyRequests,
                    $"This client made more than {perMinute} requests in a minute; retry in {reset}.",
                    null,
                    "rate_limit_exceeded",
                    retryAfter)));
            };
        });
    }

    /// <summary>
    /// Builds the application with <paramref name="create"/> and runs it until it is stopped, turning the failures a user
    /// causes at start (a port in use, invalid settings) into plain lines on <paramref name="error"/> instead of a stack trace.
    /// </summary>
    /// <param name="create">Builds the application, typically with <see cref="Create"/>.</param>
    /// <param name="programName">The name to start each error line with, such as <c>offgrid-server</c>.</param>
    /// <param name="error">Where the error lines go (standard error).</param>
    /// <param name="cancellationToken">Stops the application.</param>
    /// <returns>0 after a normal stop; 1 when the server could not start (a port in use); 2 (<see cref="UsageErrorExitCode"/>) for a configuration error: a command-line token that is not a configuration switch, a value that cannot be bound, invalid settings.</returns>
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
        catch (ConfigurationSwitchException ex)
        {
            await error.WriteLineAsync($"{programName}: {ex.Message}").ConfigureAwait(false);
            return UsageErrorExitCode;
        }
        catch (OptionsValidationException ex)
        {
            foreach (string failure in ex.Failures)
            {
                await error.WriteLineAsync($"{programName}: {OneLine(failure)}").ConfigureAwait(false);
            }

            return UsageErrorExitCode;
        }
        catch (InvalidOperationException ex) when (ex.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal))
        {
            // The configuration binder's message names the setting, the value and the type.
            await error.WriteLineAsync($"{programName}: {OneLine(ex.InnerException?.Message is { } reason ? $"{ex.Message} ({reason})" : ex.Message)}").ConfigureAwait(false);
            return UsageErrorExitCode;
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

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
