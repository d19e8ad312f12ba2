using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OffGrid.Hub;
using OffGrid.Hub.Downloads;
using OffGrid.Hub.HuggingFace;
using OffGrid.Hub.Quantization;
using OffGrid.Hub.References;
using OffGrid.Hub.Store;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the OffGrid model hub in a service collection.</summary>
public static class HubServiceCollectionExtensions
{
    /// <summary>The name of the HTTP client used for file downloads (no overall timeout: model files take long).</summary>
    public const string DownloadHttpClientName = "OffGrid.Hub.Downloads";

    /// <summary>
    /// The name of the HTTP client used for Hub API calls. It retries transient failures with backoff, honours
    /// <c>Retry-After</c> and bounds every call (<see cref="HuggingFaceOptions.MaxRetries"/> and the settings beside it).
    /// </summary>
    public const string ApiHttpClientName = "OffGrid.Hub.Api";

    /// <summary>
    /// Adds <see cref="FileDownloader"/>, <see cref="HuggingFaceClient"/>, <see cref="ModelAliasCatalog"/>,
    /// <see cref="QuantizationRanker"/>, <see cref="ModelStore"/> and the <see cref="ModelResolver"/> as singletons, and
    /// validates <see cref="HubOptions"/> and <see cref="ModelResolverOptions"/> at start.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Adjusts the options.</param>
    /// <returns>The same service collection.</returns>
    public static IServiceCollection AddOffGridHub(this IServiceCollection services, Action<HubOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        // An app's configuration (a "Hub" section) applies when the app has one; code settings win over it.
        OptionsBuilder<HubOptions> options = services.AddOptions<HubOptions>()
            .Configure<IServiceProvider>((o, sp) => sp.GetService<IConfiguration>()?.GetSection(HubOptions.SectionName).Bind(o))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HubOptions>, HubOptionsValidator>());
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.AddHttpClient(DownloadHttpClientName, c => c.Timeout = Timeout.InfiniteTimeSpan);
        // The resilience pipeline bounds each attempt and the whole call, retries included; HttpClient's own timeout would cut across it.
        services.AddHttpClient(ApiHttpClientName, c => c.Timeout = Timeout.InfiniteTimeSpan)
            .AddResilienceHandler(ApiHttpClientName, (pipeline, context) =>
                HubApiResilience.Configure(
                    pipeline,
                    context.ServiceProvider.GetRequiredService<IOptions<HubOptions>>().Value.HuggingFace,
                    context.ServiceProvider.GetService<ILoggerFactory>()?.CreateLogger<HuggingFaceClient>() ?? (ILogger)Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance));
        services.TryAddSingleton(sp => new FileDownloader(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(DownloadHttpClientName),
            sp.GetRequiredService<IOptions<HubOptions>>().Value.Downloads,
            sp.GetService<ILogger<FileDownloader>>()));
        services.TryAddSingleton(sp =>
        {
            HubOptions hub = sp.GetRequiredService<IOptions<HubOptions>>().Value;
            var huggingFace = new HuggingFaceOptions
            {
                Endpoint = hub.HuggingFace.Endpoint,
                Token = hub.HuggingFace.Token,
                CacheDirectory = hub.HuggingFace.CacheDirectory ?? Path.Combine(hub.HomeDirectory, "cache", "huggingface"),
                SearchCacheTtl = hub.HuggingFace.SearchCacheTtl,
            };
            return new HuggingFaceClient(sp.GetRequiredService<IHttpClientFactory>().CreateClient(ApiHttpClientName), huggingFace, sp.GetService<ILogger<HuggingFaceClient>>());
        });
        services.TryAddSingleton(sp => new ModelAliasCatalog(sp.GetRequiredService<IOptions<HubOptions>>().Value.GetAliasFile()));
        services.TryAddSingleton(sp => new QuantizationRanker(sp.GetRequiredService<IOptions<HubOptions>>().Value.MemoryBudgetBytes));
        services.TryAddSingleton(sp => new ModelStore(
            sp.GetRequiredService<IOptions<HubOptions>>().Value.GetModelsDirectory(),
            sp.GetRequiredService<FileDownloader>(),
            sp.GetRequiredService<HuggingFaceClient>(),
            sp.GetRequiredService<ModelAliasCatalog>(),
            sp.GetRequiredService<QuantizationRanker>(),
            sp.GetService<ILogger<ModelStore>>()));
        services.AddOptions<ModelResolverOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ModelResolverOptions>, ModelResolverOptionsValidator>());
        services.TryAddSingleton<ModelResolver>();
        return services;
    }
}
