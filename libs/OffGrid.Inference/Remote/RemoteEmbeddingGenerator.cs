using Microsoft.Extensions.AI;

namespace OffGrid.Inference.Remote;

/// <summary>A remote backend's embedding generator with the backend's first-token timeout on the whole answer and OffGrid's exceptions.</summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class RemoteEmbeddingGenerator : DelegatingEmbeddingGenerator<string, Embedding<float>>
{
    private readonly RemoteBackend _backend;
    private readonly string _model;

    public RemoteEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner, RemoteBackend backend, string model)
        : base(inner)
    {
        _backend = backend;
        _model = model;
    }

    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_backend.Options.FirstTokenTimeout);
        try
        {
            // The backend's own name for the model, whatever name the caller used.
            EmbeddingGenerationOptions? sent = options?.ModelId is null ? options : options.Clone();
            sent?.ModelId = null;
            return await base.GenerateAsync(values, sent, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (RemoteFailures.Translate(ex, _backend, $"embedding with '{_model}'", timeout, cancellationToken) is { } translated)
        {
            throw translated;
        }
    }

    public override object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(RemoteBackend) ? _backend : base.GetService(serviceType, serviceKey);
}
