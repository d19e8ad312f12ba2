using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.AI;
using OffGrid.AspNetCore.Governance;
using OffGrid.AspNetCore.Http;
using OffGrid.AspNetCore.Pooling;
using OffGrid.Hub.References;
using OffGrid.Hub.Store;
using OffGrid.Inference.Chat;
using OffGrid.Inference.Models;
using OffGrid.Inference.Pooling;
using OffGrid.Inference.Remote;

namespace OffGrid.AspNetCore.Models;

/// <summary>
/// Resolves the model a request names (through Hub's one <see cref="ModelResolver"/>, remote models included), holds a local
/// model loaded from the shared pool for the request, and hands out the model's <see cref="IChatClient"/> pipeline.
/// </summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class ModelAccess
{
    // A worker lists its pool in milliseconds even while it generates; a health probe (often given 1 s) must not wait on a hung one.
    private static readonly TimeSpan s_workerListingTimeout = TimeSpan.FromSeconds(1);

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

    /// <summary>Whether local models run in the model worker process rather than in <see cref="Pool"/> here.</summary>
    public bool IsIsolated => _clients.IsIsolated;

    /// <summary>Why the model worker cannot serve now (starting, not answering); <see langword="null"/> when it can or there is none.</summary>
    public string? WorkerProblem => _clients.WorkerProblem;

    /// <summary>Why the model worker cannot serve in one word (<c>loading</c>, <c>restarting</c>, <c>unresponsive</c>); <see langword="null"/> when it can or there is none.</summary>
    public string? WorkerStatus => _clients.WorkerStatus;

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

    /// <summary>
    /// The models loaded now with the names clients use for each — hot-swaps followed, names swapped onto a file first, and for
    /// a file a swap replaced (draining) the names it served before — the pool's here, or the model worker's when local models run
    /// in one (<c>GET /v1/pool</c> there). A worker that is not running holds nothing; one that does not answer within
    /// a second is reported as holding nothing too, since <c>/health</c> already says it is silent.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    public async Task<IReadOnlyList<PoolEntry>> GetLoadedAsync(CancellationToken cancellationToken)
    {
        if (_clients.Worker is not { } worker)
        {
            List<(string Name, string Own, string Served)> local = [.. (await ListAsync(cancellationToken).ConfigureAwait(false))
                .Where(m => !m.IsRemote)
                .Select(m => (m.Name, Path.GetFullPath(m.Path), _pool.GetServedPath(m.Path)))];
            return [.. _pool.GetLoadedModels().Select(m => PoolEntry.From(m, m.IsDraining
                ? local.Where(n => n.Own == m.Path && n.Served != m.Path).Select(n => n.Name)
                : local.Where(n => n.Served == m.Path).OrderBy(n => n.Own == m.Path).Select(n => n.Name)))];
        }

        if (!worker.IsReady)
        {
            return [];
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(s_workerListingTimeout);
        try
        {
            return (await worker.SendJsonAsync<PoolListing>(HttpMethod.Get, "v1/pool", body: null, timeout.Token).ConfigureAwait(false)).Data;
        }
        catch (Exception ex) when (ex is BackendUnavailableException || ex is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return []; // it died or hangs: the watch restarts it, and its models are gone with it
        }
    }

    /// <summary>
    /// Loads the model named <paramref name="name"/> without generating (Ollama's request without a prompt): into the pool here,
    /// or into the model worker's pool when local models run in one; a remote model is left to its backends.
    /// </summary>
    /// <param name="name">The model name from the request.</param>
    /// <param name="keepAlive">How long the model stays loaded once idle; <see langword="null"/> for the pool's default.</param>
    /// <param name="contextSize">The per-sequence context; <see langword="null"/> for the server's.</param>
    /// <param name="cancellationToken">Stops waiting for the load.</param>
    public async Task<LocalModel> LoadAsync(string? name, TimeSpan? keepAlive, int? contextSize, CancellationToken cancellationToken)
    {
        if (_clients.Worker is not { } worker)
        {
            using ModelSession session = await OpenAsync(name, keepAlive, contextSize, options: null, cancellationToken).ConfigureAwait(false);
            return session.Model;
        }

        LocalModel model = await ResolveAsync(name, cancellationToken).ConfigureAwait(false);
        if (!model.IsRemote)
        {
            // The worker loads through its own Ollama surface, which takes keep_alive in seconds (negative: forever).
            var request = new { Model = ModelClients.WorkerModel(model), KeepAlive = keepAlive?.TotalSeconds, Options = new { NumCtx = contextSize } };
            await worker.SendJsonAsync<JsonElement>(HttpMethod.Post, "api/generate", request, cancellationToken).ConfigureAwait(false);
        }

        return model;
    }

    /// <summary>
    /// Unloads the file at <paramref name="path"/> (a store model about to be deleted) here or in the model worker, unless
    /// requests hold it; returns whether it is no longer loaded. After a hot-swap the file is not the one that serves its name,
    /// and the replacement that does stays loaded.
    /// </summary>
    public async Task<bool> ReleaseFileAsync(string path, CancellationToken cancellationToken)
    {
        if (_clients.Worker is { IsReady: false })
        {
            return true; // a worker that is not running holds nothing
        }

        if ((await UnloadFileAsync(path, cancellationToken).ConfigureAwait(false)).Unloaded)
        {
            return true;
        }

        // In process the pool answers directly: the names clients use (a store listing) are not needed to tell.
        IEnumerable<string> loaded = _clients.Worker is null
            ? _pool.GetLoadedModels().Select(m => m.Path)
            : (await GetLoadedAsync(cancellationToken).ConfigureAwait(false)).Select(m => m.Path);
        return !loaded.Contains(path, StringComparer.Ordinal);
    }

    /// <summary>
    /// Unloads the model named <paramref name="name"/> if it is loaded and idle (Ollama's <c>keep_alive: 0</c> without a prompt), here
    /// or in the model worker; a remote model is left to its backends.
    /// </summary>
    public async Task<LocalModel> UnloadAsync(string? name, CancellationToken cancellationToken)
    {
        LocalModel model = await ResolveAsync(name, cancellationToken).ConfigureAwait(false);
        if (!model.IsRemote)
        {
            await UnloadAsync(model, cancellationToken).ConfigureAwait(false);
        }

        return model;
    }

    /// <summary>
    /// Unloads the file that serves the local <paramref name="model"/> now (after a hot-swap, the replacement) if no request holds
    /// it, pinned or not.
    /// </summary>
    /// <exception cref="BackendUnavailableException">No model worker is running, or it died before answering.</exception>
    public Task<PoolUnload> UnloadAsync(LocalModel model, CancellationToken cancellationToken) =>
        UnloadAsync(new PoolRequest { Model = ModelClients.WorkerModel(model) }, model.Name, () => _pool.GetServedPath(model.Path), cancellationToken);

    /// <summary>Unloads the file at <paramref name="path"/> as it is, no hot-swap followed, if no request holds it.</summary>
    /// <exception cref="BackendUnavailableException">No model worker is running, or it died before answering.</exception>
    public Task<PoolUnload> UnloadFileAsync(string path, CancellationToken cancellationToken) =>
        UnloadAsync(new PoolRequest { Path = path }, name: null, () => Path.GetFullPath(path), cancellationToken);

    /// <summary>
    /// The one way a model is unloaded: in the pool here, or — when local models run in a model worker — by the worker's
    /// <c>POST /v1/pool/unload</c> with <paramref name="workerRequest"/>, which comes back to this method in the worker's process.
    /// </summary>
    private async Task<PoolUnload> UnloadAsync(PoolRequest workerRequest, string? name, Func<string> file, CancellationToken cancellationToken)
    {
        if (_clients.Worker is { } worker)
        {
            PoolUnload answer = await worker.SendJsonAsync<PoolUnload>(HttpMethod.Post, "v1/pool/unload", workerRequest, cancellationToken).ConfigureAwait(false);
            return new PoolUnload { Model = name, Path = answer.Path, Unloaded = answer.Unloaded };
        }

        string path = file();
        return new PoolUnload { Model = name, Path = path, Unloaded = _pool.Unload(path) };
    }
}
