using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OffGrid.AspNetCore;
using OffGrid.AspNetCore.Models;
using OffGrid.AspNetCore.Operations;
using OffGrid.Hub.References;
using OffGrid.Inference;
using OpenTelemetry.Metrics;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers what OffGrid's HTTP endpoints need, in the shape of <c>AddMcpServer</c>.</summary>
public static class OffGridServerServiceCollectionExtensions
{
    /// <summary>
    /// Adds the services behind <c>MapOpenAi</c>, <c>MapOllama</c> and <c>MapOffGrid</c>: the Hub (model store,
    /// resolver, Hugging Face client), the shared model pool, one <c>IChatClient</c> and embedding pipeline per served
    /// model, preloading, and the OpenTelemetry metrics behind a Prometheus <c>/metrics</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options (served models, model folders, pool); they are validated at start.</param>
    /// <returns>A builder that adds middleware to every served model's pipelines.</returns>
    /// <remarks>Call while building the container; not thread-safe, like all service registration.</remarks>
    public static OffGridServerBuilder AddOffGridServer(this IServiceCollection services, Action<OffGridServerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        OptionsBuilder<OffGridServerOptions> options = services.AddOptions<OffGridServerOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OffGridServerOptions>, OffGridServerOptionsValidator>());

        services.AddOffGridHub();
        services.AddOptions<ModelResolverOptions>().Configure<IOptions<OffGridServerOptions>>((resolver, server) =>
        {
            resolver.Models = server.Value.Models;
            resolver.ModelDirectories = server.Value.ModelDirectories;
            resolver.AllowFilePaths = server.Value.AllowModelPaths;
        });
        services.AddOffGridInference();
        services.AddOptions<InferenceOptions>().Configure<IOptions<OffGridServerOptions>>((inference, server) => inference.Pool = server.Value.Pool);

        services.TryAddSingleton<ModelClients>();
        services.TryAddSingleton<ModelAccess>();
        services.TryAddSingleton<ModelPreloader>();
        services.AddHostedService(sp => sp.GetRequiredService<ModelPreloader>());

        services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(OffGridServerTelemetry.ExportedMeters).AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));
        return new OffGridServerBuilder(services);
    }
}
