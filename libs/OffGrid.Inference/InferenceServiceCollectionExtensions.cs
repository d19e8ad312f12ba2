using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OffGrid.Inference.Pooling;

namespace OffGrid.Inference;

/// <summary>Registers OffGrid's in-process inference in a service collection.</summary>
public static class InferenceServiceCollectionExtensions
{
    /// <summary>
    /// Adds a <see cref="LlamaModelPool"/> and, when configured, an <see cref="IChatClient"/> and an
    /// <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> over local GGUF models. Models load on first use.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options; they are validated when the pool is first resolved.</param>
    public static IServiceCollection AddOffGridInference(this IServiceCollection services, Action<InferenceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        OptionsBuilder<InferenceOptions> builder = services.AddOptions<InferenceOptions>();
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        builder.Validate(o => o.Pool is not null, "InferenceOptions.Pool must be set.")
            .Validate(o => o.ChatModelPath is null || File.Exists(o.ChatModelPath), "InferenceOptions.ChatModelPath does not exist.")
            .Validate(o => o.EmbeddingModelPath is null || File.Exists(o.EmbeddingModelPath), "InferenceOptions.EmbeddingModelPath does not exist.")
            .ValidateOnStart();

        services.TryAddSingleton(sp => new LlamaModelPool(sp.GetRequiredService<IOptions<InferenceOptions>>().Value.Pool, sp.GetService<ILoggerFactory>()));
        services.TryAddSingleton<IChatClient>(sp =>
        {
            InferenceOptions options = sp.GetRequiredService<IOptions<InferenceOptions>>().Value;
            return new PooledChatClient(sp.GetRequiredService<LlamaModelPool>(), options.ChatModelPath
                ?? throw new InvalidOperationException("No chat model is configured: set InferenceOptions.ChatModelPath."));
        });
        services.TryAddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(sp =>
        {
            InferenceOptions options = sp.GetRequiredService<IOptions<InferenceOptions>>().Value;
            return new PooledEmbeddingGenerator(sp.GetRequiredService<LlamaModelPool>(), options.EmbeddingModelPath
                ?? throw new InvalidOperationException("No embedding model is configured: set InferenceOptions.EmbeddingModelPath."));
        });
        return services;
    }
}
