using System.Diagnostics.Metrics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OffGrid.Inference;
using OffGrid.Inference.Pooling;
using OffGrid.Inference.Quantization;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers OffGrid's in-process inference: the shared <see cref="LlamaModelPool"/>, and chat clients and embedding
/// generators over local GGUF models as Microsoft.Extensions.AI pipelines.
/// </summary>
/// <example>
/// <code>
/// services.AddOffGridInference(o => o.Pool.MaxLoadedModels = 2);
/// services.AddOffGridChatClient("models/qwen2.5-0.5b-instruct-q4_k_m.gguf")
///     .UseFunctionInvocation()
///     .UseOpenTelemetry();
/// services.AddOffGridEmbeddingGenerator("models/nomic-embed-text-v1.5.Q8_0.gguf");
/// </code>
/// </example>
public static class InferenceServiceCollectionExtensions
{
    /// <summary>
    /// Adds the <see cref="LlamaModelPool"/> every OffGrid client shares (models load on first use and unload after the
    /// pool's keep-alive), the <see cref="LlamaQuantizer"/>, and the <see cref="ModelQuantizer"/> (which needs
    /// <c>AddOffGridHub()</c> for its model resolver). Calling it again only adds <paramref name="configure"/>.
    /// </summary>
    /// <remarks>
    /// Also adds the container's <see cref="IMeterFactory"/> (<c>AddMetrics</c>): the pool's <c>OffGrid.Inference</c> meter
    /// (see <see cref="InferenceTelemetry"/>) comes from it, so two apps in one process do not share figures.
    /// </remarks>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options; they are validated at start.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddOffGridInference(this IServiceCollection services, Action<InferenceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        OptionsBuilder<InferenceOptions> options = services.AddOptions<InferenceOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<InferenceOptions>, InferenceOptionsValidator>());
        services.AddMetrics();
        services.TryAddSingleton(sp => new LlamaModelPool(sp.GetRequiredService<IOptions<InferenceOptions>>().Value.Pool, sp.GetService<ILoggerFactory>(), sp.GetRequiredService<IMeterFactory>()));
        services.TryAddSingleton(sp => new LlamaQuantizer(sp.GetRequiredService<IOptions<InferenceOptions>>().Value.Pool.Runtime, sp.GetService<ILogger<LlamaQuantizer>>()));
        services.TryAddSingleton<ModelQuantizer>();
        return services;
    }

    /// <summary>
    /// Registers an <see cref="IChatClient"/> over the GGUF model at <paramref name="modelPath"/> and returns its
    /// <see cref="ChatClientBuilder"/>, so that middleware goes on top (<c>.UseFunctionInvocation().UseOpenTelemetry()</c>).
    /// Adds the shared pool when it is not registered yet.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="modelPath">The GGUF file; it loads on the first request.</param>
    /// <param name="modelId">The model id in metadata and responses; defaults to the file name without extension.</param>
    /// <param name="lifetime">The lifetime of the registered client.</param>
    /// <returns>The builder of the client's pipeline.</returns>
    /// <exception cref="ArgumentException"><paramref name="modelPath"/> is empty.</exception>
    public static ChatClientBuilder AddOffGridChatClient(this IServiceCollection services, string modelPath, string? modelId = null, ServiceLifetime lifetime = ServiceLifetime.Singleton)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        return services.AddOffGridInference().AddChatClient(sp => sp.GetRequiredService<LlamaModelPool>().CreateChatClient(modelPath, modelId), lifetime);
    }

    /// <summary>
    /// Registers a keyed <see cref="IChatClient"/> over the GGUF model at <paramref name="modelPath"/> (one per model name,
    /// resolved with <c>[FromKeyedServices(key)]</c>) and returns its <see cref="ChatClientBuilder"/>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="serviceKey">The key, typically the model's name.</param>
    /// <param name="modelPath">The GGUF file; it loads on the first request.</param>
    /// <param name="modelId">The model id in metadata and responses; defaults to <paramref name="serviceKey"/> when it is a string.</param>
    /// <param name="lifetime">The lifetime of the registered client.</param>
    /// <returns>The builder of the client's pipeline.</returns>
    /// <exception cref="ArgumentException"><paramref name="modelPath"/> is empty.</exception>
    public static ChatClientBuilder AddKeyedOffGridChatClient(
        this IServiceCollection services, object? serviceKey, string modelPath, string? modelId = null, ServiceLifetime lifetime = ServiceLifetime.Singleton)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        return services.AddOffGridInference().AddKeyedChatClient(serviceKey, sp => sp.GetRequiredService<LlamaModelPool>().CreateChatClient(modelPath, modelId ?? serviceKey as string), lifetime);
    }

    /// <summary>
    /// Registers an <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> over the GGUF model at <paramref name="modelPath"/>
    /// and returns its builder. Adds the shared pool when it is not registered yet.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="modelPath">The GGUF file; it loads on the first call.</param>
    /// <param name="modelId">The model id in metadata and embeddings; defaults to the file name without extension.</param>
    /// <param name="lifetime">The lifetime of the registered generator.</param>
    /// <returns>The builder of the generator's pipeline.</returns>
    /// <exception cref="ArgumentException"><paramref name="modelPath"/> is empty.</exception>
    public static EmbeddingGeneratorBuilder<string, Embedding<float>> AddOffGridEmbeddingGenerator(
        this IServiceCollection services, string modelPath, string? modelId = null, ServiceLifetime lifetime = ServiceLifetime.Singleton)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        return services.AddOffGridInference().AddEmbeddingGenerator(sp => sp.GetRequiredService<LlamaModelPool>().CreateEmbeddingGenerator(modelPath, modelId), lifetime);
    }

    /// <summary>Registers a keyed embedding generator over the GGUF model at <paramref name="modelPath"/> and returns its builder.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="serviceKey">The key, typically the model's name.</param>
    /// <param name="modelPath">The GGUF file; it loads on the first call.</param>
    /// <param name="modelId">The model id in metadata and embeddings; defaults to <paramref name="serviceKey"/> when it is a string.</param>
    /// <param name="lifetime">The lifetime of the registered generator.</param>
    /// <returns>The builder of the generator's pipeline.</returns>
    /// <exception cref="ArgumentException"><paramref name="modelPath"/> is empty.</exception>
    public static EmbeddingGeneratorBuilder<string, Embedding<float>> AddKeyedOffGridEmbeddingGenerator(
        this IServiceCollection services, object? serviceKey, string modelPath, string? modelId = null, ServiceLifetime lifetime = ServiceLifetime.Singleton)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        return services.AddOffGridInference().AddKeyedEmbeddingGenerator(
            serviceKey, sp => sp.GetRequiredService<LlamaModelPool>().CreateEmbeddingGenerator(modelPath, modelId ?? serviceKey as string), lifetime);
    }
}
