using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OffGrid.Rag;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the OffGrid knowledge base in a service collection.</summary>
public static class RagServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="RagOptions"/> (validated at start) and a singleton <see cref="KnowledgeBase"/>. The knowledge base needs an
    /// <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> of <see cref="string"/> to <see cref="Embedding{T}"/> of <see cref="float"/> registered too.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures the options.</param>
    /// <returns>The same service collection.</returns>
    /// <remarks>Call while building the container; not thread-safe, like all service registration.</remarks>
    public static IServiceCollection AddOffGridRag(this IServiceCollection services, Action<RagOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        OptionsBuilder<RagOptions> options = services.AddOptions<RagOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RagOptions>, RagOptionsValidator>());
        services.TryAddSingleton(provider => new KnowledgeBase(
            provider.GetRequiredService<IOptions<RagOptions>>().Value,
            provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>(),
            provider.GetService<ILoggerFactory>()));
        return services;
    }
}
