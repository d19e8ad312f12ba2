using System.Diagnostics;
using OffGrid.Inference.Pooling;

namespace OffGrid.Server.Models;

/// <summary>Resolves a requested model name and holds the model from the shared pool for one request.</summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class ModelAccess
{
    private readonly ModelCatalog _catalog;
    private readonly LlamaModelPool _pool;

    public ModelAccess(ModelCatalog catalog, LlamaModelPool pool)
    {
        _catalog = catalog;
        _pool = pool;
    }

    /// <summary>The pool behind the server.</summary>
    public LlamaModelPool Pool => _pool;

    /// <summary>Resolves <paramref name="name"/>, loading the model if needed.</summary>
    /// <param name="name">The model name from the request.</param>
    /// <param name="keepAlive">Overrides how long the model stays loaded once idle.</param>
    /// <param name="cancellationToken">Stops waiting for the load.</param>
    public Task<ModelSession> OpenAsync(string? name, TimeSpan? keepAlive, CancellationToken cancellationToken) =>
        OpenAsync(name, keepAlive, contextSize: null, cancellationToken);

    /// <summary>Resolves <paramref name="name"/>, loading the model with the context the request asks for (<c>num_ctx</c>).</summary>
    /// <param name="name">The model name from the request.</param>
    /// <param name="keepAlive">Overrides how long the model stays loaded once idle.</param>
    /// <param name="contextSize">The per-sequence context the request needs; <see langword="null"/> for the server's.</param>
    /// <param name="cancellationToken">Stops waiting for the load.</param>
    public async Task<ModelSession> OpenAsync(string? name, TimeSpan? keepAlive, int? contextSize, CancellationToken cancellationToken)
    {
        ServedModel model = await _catalog.ResolveAsync(name, cancellationToken).ConfigureAwait(false);
        long started = Stopwatch.GetTimestamp();
        LlamaModelLease lease = await _pool.AcquireAsync(model.Path, keepAlive, contextSize, cancellationToken: cancellationToken).ConfigureAwait(false);
        return new ModelSession(model, lease, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>The loaded models with their queue figures, for <c>/api/ps</c> and <c>/metrics</c>.</summary>
    public IReadOnlyList<LoadedModelInfo> GetLoaded() => _pool.GetLoadedModels();

    /// <summary>Unloads the model named <paramref name="name"/> if it is loaded and idle (Ollama's <c>keep_alive: 0</c> without a prompt).</summary>
    public async Task<ServedModel> UnloadAsync(string? name, CancellationToken cancellationToken)
    {
        ServedModel model = await _catalog.ResolveAsync(name, cancellationToken).ConfigureAwait(false);
        _pool.Unload(model.Path);
        return model;
    }
}
