using Microsoft.Extensions.AI;

namespace OffGrid.AspNetCore.Backends;

/// <summary>The bottom of a remote model's embedding pipeline: one backend of the pool per request, with failover while it has not answered.</summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class BalancedEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly RemoteBackends _backends;
    private readonly string _model;
    private readonly EmbeddingGeneratorMetadata _metadata;

    public BalancedEmbeddingGenerator(RemoteBackends backends, string model)
    {
        _backends = backends;
        _model = model;
        _metadata = new EmbeddingGeneratorMetadata("offgrid-remote", providerUri: null, defaultModelId: model);
    }

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        IReadOnlyList<string> inputs = [.. values];
        BackendPool pool = _backends.GetPool(_model);
        Failover.Started<GeneratedEmbeddings<Embedding<float>>> started = await Failover.StartAsync(
            _backends, pool, [], (member, ct) => member.Backend.GetEmbeddingGenerator(member.RemoteModel).GenerateAsync(inputs, options, ct), cancellationToken).ConfigureAwait(false);
        started.InFlight.Dispose();
        _backends.Telemetry.RecordRequest(started.Member.Backend, _model, Failover.Outcomes.Ok);
        return started.Result;
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    public void Dispose()
    {
        // The backends and their clients belong to RemoteBackends.
    }
}
