using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using OffGrid.AspNetCore;
using OffGrid.AspNetCore.Audio;
using OffGrid.AspNetCore.Backends;
using OffGrid.AspNetCore.Http;
using OffGrid.AspNetCore.Models;
using OffGrid.AspNetCore.Operations;
using OffGrid.AspNetCore.Quantization;
using OffGrid.Hub.References;
using OffGrid.Inference;
using OpenTelemetry.Metrics;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.LoadBalancing;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers what OffGrid's HTTP endpoints need, in the shape of <c>AddMcpServer</c>.</summary>
public static class OffGridServerServiceCollectionExtensions
{
    /// <summary>
    /// Adds the services behind <c>MapOpenAi</c>, <c>MapOllama</c> and <c>MapOffGrid</c>: the Hub (model store,
    /// resolver, Hugging Face client), distribution (LAN peers and <c>MapOffGridPeerSharing</c>), the shared model pool, the
    /// remote backends of <see cref="OffGridServerOptions.Backends"/> with their load balancing (YARP's health checks and
    /// balancing policies, in process), one <c>IChatClient</c> and embedding pipeline per served model, local or remote, the
    /// speech clients (Whisper, Piper, espeak-ng; configure them with <c>Configure&lt;SpeechOptions&gt;</c>), preloading, and
    /// the OpenTelemetry metrics behind a Prometheus <c>/metrics</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">
    /// Sets the options (served models, model folders, pool) after the <c>Server</c> section of the app's configuration is
    /// bound; they are validated at start. The server's <see cref="OffGridServerOptions.Pool"/> is the shared pool's
    /// configuration: it replaces what <c>AddOffGridInference</c> set.
    /// </param>
    /// <returns>A builder that adds middleware to every served model's pipelines.</returns>
    /// <remarks>
    /// Also registers OpenTelemetry metrics (the meters of <see cref="OffGridServerTelemetry"/>) with a Prometheus exporter,
    /// so that <c>app.MapPrometheusScrapingEndpoint("/metrics")</c> serves them. Call while building the container; not
    /// thread-safe, like all service registration. An app that also uses YARP's proxy calls <c>AddReverseProxy</c> before this
    /// method, so that YARP's services are registered once.
    /// </remarks>
    public static OffGridServerBuilder AddOffGridServer(this IServiceCollection services, Action<OffGridServerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        // The app's configuration (appsettings.json, environment, command line) comes first when there is one, so that
        // `--Server:Models:name=path` works in any app; the code's own settings win over it.
        OptionsBuilder<OffGridServerOptions> options = services.AddOptions<OffGridServerOptions>()
            .Configure<IServiceProvider>((o, sp) => sp.GetService<IConfiguration>()?.GetSection(OffGridServerOptions.SectionName).Bind(o));
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OffGridServerOptions>, OffGridServerOptionsValidator>());

        services.AddOffGridHub();
        services.AddOffGridDistribution();
        services.AddOptions<ModelResolverOptions>().Configure<IOptions<OffGridServerOptions>>((resolver, server) =>
        {
            resolver.Models = server.Value.Models;
            resolver.ModelDirectories = server.Value.ModelDirectories;
            resolver.AllowFilePaths = server.Value.AllowModelPaths;
        });
        services.AddOffGridInference();
        services.AddOptions<InferenceOptions>().Configure<IOptions<OffGridServerOptions>>((inference, server) => inference.Pool = server.Value.Pool);

        services.AddOffGridSpeech();
        AddRemoteBackends(services);
        services.TryAddSingleton<ApiRoutePrefixes>();
        services.TryAddSingleton<SpeechClients>();
        services.TryAddSingleton<ModelClients>();
        services.TryAddSingleton<ModelAccess>();
        services.TryAddSingleton<ModelPreloader>();
        services.TryAddSingleton<QuantizationJobs>();
        services.AddHostedService<DraftModelResolution>();
        services.AddHostedService(sp => sp.GetRequiredService<ModelPreloader>());

        // The meters are enabled through the container's metrics rules, not the SDK's AddMeter: AddMeter listens to every
        // meter of a name in the process, while a rule can keep to the meters of this container's IMeterFactory.
        services.AddMetrics(metrics =>
        {
            foreach ((string name, MeterScope scopes) in OffGridServerTelemetry.ExportedMeters)
            {
                metrics.EnableMetrics(name, instrumentName: null, listenerName: null, scopes);
            }
        });
        services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));
        return new OffGridServerBuilder(services);
    }

    /// <summary>
    /// The remote backends and what balances them: YARP's runtime pieces (destination state, active health checks, health
    /// updates, availability and balancing policies) without its proxy, OffGrid's weighted and latency policies beside
    /// YARP's own, and the backends' models as a model source of the one resolver.
    /// </summary>
    private static void AddRemoteBackends(IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(RemoteBackends)))
        {
            return;
        }

        if (!services.Any(d => d.ServiceType == typeof(IActiveHealthCheckMonitor)))
        {
            services.AddReverseProxy();
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<ILoadBalancingPolicy, WeightedLoadBalancingPolicy>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ILoadBalancingPolicy, LatencyLoadBalancingPolicy>());
        services.TryAddSingleton<FirstTokenLatencies>();
        services.AddSingleton<RemoteBackends>();
        services.AddSingleton<IModelSource>(sp => sp.GetRequiredService<RemoteBackends>());
        services.AddHostedService<BackendMonitor>();
    }
}
