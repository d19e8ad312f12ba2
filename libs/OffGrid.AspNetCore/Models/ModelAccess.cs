using System.Diagnostics;
using Microsoft.Extensions.AI;
using OffGrid.AspNetCore.Governance;
using OffGrid.AspNetCore.Http;
using OffGrid.Hub.References;
using OffGrid.Hub.Store;
using OffGrid.Inference.Chat;
using OffGrid.Inference.Models;
using OffGrid.Inference.Pooling;

namespace OffGrid.AspNetCore.Models;

/// <summary>
/// Resolves the model a request names (through Hub's one <see cref="ModelResolver"/>, remote models included), holds a local
/// model loaded from the shared pool for the request, and hands out the model's <see cref="IChatClient"/> pipeline.
/// </summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class ModelAccess
{
    private readonly ModelResolver _resolver;
    private readonly LlamaModelPool _pool;
    private readonly ModelClients _clients;

    public ModelAccess(ModelResolver resolver, LlamaModelPool pool, ModelClients clients)
    {
        _resolver = resolver;
        _pool = pool;
        _clients = clients;
    }

    /// <summary>The pool behind the server.</summary>
    public LlamaModelPool Pool => _pool;

    /// <summary>Whether local models can be served now (false while the model worker process is starting or restarting).</summary>
    public bool IsWorkerReady => _clients.IsWorkerReady;

    /// <summary>The Hub's model store.</summary>
    public ModelStore Store => _resolver.Store;

    /// <summary>Every model the server can serve by name, sorted by name.</summary>
    public Task<IReadOnlyList<LocalModel>> ListAsync(CancellationToken cancellationToken) => _resolver.ListAsync(cancellationToken);

    /// <summary>The models the user of <paramref name="http"/> may call (every model when governance is off), sorted by name.</summary>
    public async Task<IReadOnlyList<LocalModel>> ListVisibleAsync(HttpContext http)
    {
        IReadOnlyList<LocalModel> models = await ListAsync(http.RequestAborted);
        Func<string, bool> visible = await VisibilityAsync(http);
        return [.. models.Where(m => visible(m.Name))];
    }

    /// <summary>
    /// Finds the model a request names for a request that describes it (<c>GET /v1/models/{id}</c>, <c>/api/show</c>): a
    /// model the user of <paramref name="http"/> may not call is not found, as it is missing from their lists.
    /// </summary>
    /// <exception cref="ApiException">400 when no name is given.</exception>
    /// <exception cref="ModelNotFoundException">Nothing matches, or the user may not see what does.</exception>
    public async Task<LocalModel> ResolveVisibleAsync(HttpContext http, string? name)
    {
        LocalModel model = await ResolveAsync(name, http.RequestAborted);
        Func<string, bool> visible = await VisibilityAsync(http);
        return visible(model.Name)
            ? model
            : throw new ModelNotFoundException(model.Name, $"The model '{name}' is not available to you: it is not in your list (GET /v1/models).", canPull: false);
    }

    /// <summary>Which model names the user of <paramref name="http"/> may see (every name when governance is off).</summary>
    public static async Task<Func<string, bool>> VisibilityAsync(HttpContext http) =>
        http.RequestServices.GetService<ModelVisibility>() is { } visibility ? await visibility.ForAsync(http) : static _ => true;

    /// <summary>Finds the model a request names.</summary>
    /// <exception cref="ApiException">400 when no name is given.</exception>
    /// <exception cref="ModelNotFoundException">Nothing matches.</exception>
    public Task<LocalModel> ResolveAsync(string? name, CancellationToken cancellationToken) =>
        string.IsNullOrWhiteSpace(name)
            ? throw ApiException.BadRequest("The 'model' field is required.", "model")
            : _resolver.ResolveAsync(name, cancellationToken);

    /// <summary>Resolves <paramref name="name"/> and holds the model loaded for a request that does not generate text.</summary>
    /// <param name="name">The model name from the request.</param>
    /// <param name="keepAlive">Overrides how long the model stays loaded once idle.</param>
    /// <param name="cancellationToken">Stops waiting for the load.</param>
    public Task<ModelSession> OpenAsync(string? name, TimeSpan? keepAlive, CancellationToken cancellationToken) =>
        OpenAsync(name, keepAlive, contextSize: null, options: null, cancellationToken);

    /// <summary>
    /// Resolves <paramref name="name"/> and loads the model with the context the request asks for (<c>num_ctx</c>). The
    /// context and keep-alive also go into <paramref name="options"/> (<see cref="LlamaChatOptions.ContextSizeKey"/>,
    /// <see cref="LlamaChatOptions.KeepAliveKey"/>), so that the model's pipeline runs on the model held here.
    /// </summary>
    /// <param name="name">The model name from the request.</param>
    /// <param name="keepAlive">Overrides how long the model stays loaded once idle.</param>
    /// <param name="contextSize">The per-sequence context the request needs; <see langword="null"/> for the server's.</param>
    /// <param name="options">The request's chat options, or <see langword="null"/> when it does not generate text.</param>
    /// <param name="cancellationToken">Stops waiting for the load.</param>
    /// <exception cref="ApiException">400 when the client named a file by path and it is not a usable model.</exception>
    public async Task<ModelSession> OpenAsync(string? name, TimeSpan? keepAlive, int? contextSize, ChatOptions? options, CancellationToken cancellationToken)
    {
        LocalModel model = await ResolveAsync(name, cancellationToken).ConfigureAwait(false);
        if (options is not null)
        {
            options.AdditionalProperties ??= [];
            options.AdditionalProperties[LlamaChatOptions.ContextSizeKey] = contextSize;
            options.AdditionalProperties[LlamaChatOptions.KeepAliveKey] = keepAlive;
        }

        if (model.IsRemote || _clients.IsIsolated)
        {
            // A model in the worker process is loaded there, on the first request that reaches it.
            return new ModelSession(model, lease: null, TimeSpan.Zero, _clients);
        }

        long started = Stopwatch.GetTimestamp();
        LlamaModelLease lease;
        try
        {
            lease = await _pool.AcquireAsync(model.Path, keepAlive, contextSize, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (ModelLoadException ex) when (model.Source == LocalModelSource.File)
        {
            // The client named this file itself: a file that is not a usable model is the request's fault.
            throw new ApiException(StatusCodes.Status400BadRequest, ex.Message, "model", "model_load_failed");
        }

        return new ModelSession(model, lease, Stopwatch.GetElapsedTime(started), _clients);
    }

    /// <summary>The model as it is served now: after a hot-swap (<c>POST /v1/pool/swap</c>) its file is the replacement's.</summary>
    public LocalModel Served(LocalModel model) =>
        model.IsRemote || _pool.GetServedPath(model.Path) is var path && path == Path.GetFullPath(model.Path) ? model : model with { Path = path, Manifest = null };

    /// <summary>The names clients use for each file the pool serves (by full path, hot-swaps followed).</summary>
    public async Task<ILookup<string, string>> ServedNamesAsync(CancellationToken cancellationToken) =>
        (await ListAsync(cancellationToken).ConfigureAwait(false)).Where(m => !m.IsRemote).ToLookup(m => _pool.GetServedPath(m.Path), m => m.Name, StringComparer.Ordinal);

    /// <summary>The loaded models with their queue figures.</summary>
    public IReadOnlyList<LoadedModelInfo> GetLoaded() => _pool.GetLoadedModels();

    /// <summary>Unloads the model named <paramref name="name"/> if it is loaded and idle (Ollama's <c>keep_alive: 0</c> without a prompt); a remote model is left to its backends.</summary>
    public async Task<LocalModel> UnloadAsync(string? name, CancellationToken cancellationToken)
    {
        LocalModel model = await ResolveAsync(name, cancellationToken).ConfigureAwait(false);
        if (!model.IsRemote)
        {
            _pool.Unload(model.Path);
        }

        return model;
    }
}
