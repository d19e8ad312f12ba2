using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using OffGrid.AspNetCore.Models;
using OffGrid.Hub.References;

namespace OffGrid.AspNetCore;

/// <summary>
/// Returned by <c>AddOffGridServer</c>: configures the <see cref="IChatClient"/> and embedding pipelines that every
/// served model's requests go through, so that middleware an app adds (<c>UseFunctionInvocation</c>,
/// <c>UseOpenTelemetry</c>, <c>UseRag</c>, quotas, audit…) sees HTTP traffic as it sees in-process calls.
/// </summary>
/// <remarks>Use while building the service collection; not thread-safe, like all service registration.</remarks>
public sealed class OffGridServerBuilder
{
    internal OffGridServerBuilder(IServiceCollection services)
    {
        Services = services;
    }

    /// <summary>Gets the service collection.</summary>
    public IServiceCollection Services { get; }

    /// <summary>
    /// Adds middleware to every served model's chat pipeline. The pool's client is at the bottom; each call adds its
    /// middleware above the previous one's. The pipeline is built once per model name, on its first request.
    /// </summary>
    /// <param name="configure">Adds middleware for a model, for example <c>(pipeline, model) =&gt; pipeline.UseFunctionInvocation()</c>.</param>
    /// <returns>The same builder.</returns>
    public OffGridServerBuilder ConfigureChatClients(Action<ChatClientBuilder, LocalModel> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.Configure<ModelPipelineOptions>(o => o.ChatClient.Add(configure));
        return this;
    }

    /// <summary>Adds middleware to every served model's embedding pipeline (built once per model name, on first use).</summary>
    /// <param name="configure">Adds middleware for a model, for example <c>(pipeline, model) =&gt; pipeline.UseOpenTelemetry()</c>.</param>
    /// <returns>The same builder.</returns>
    public OffGridServerBuilder ConfigureEmbeddingGenerators(Action<EmbeddingGeneratorBuilder<string, Embedding<float>>, LocalModel> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.Configure<ModelPipelineOptions>(o => o.EmbeddingGenerator.Add(configure));
        return this;
    }
}
