using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OffGrid.AspNetCore.Hosting;
using OffGrid.AspNetCore.Http;
using OffGrid.AspNetCore.Models;
using OffGrid.Hub.References;
using OffGrid.Inference.Pooling;

namespace OffGrid.AspNetCore.Pooling;

/// <summary>
/// The model pool (admin): <c>GET /v1/pool</c> (loaded models with estimated bytes, pins and expiry),
/// <c>POST /v1/pool/pin</c> and <c>/unpin</c> (<c>{"model"}</c>), and <c>POST /v1/pool/swap</c>
/// (<c>{"model","replacement"}</c>: hot-swap the file behind a name; requests in flight finish on the old one). With
/// <see cref="ModelIsolation.Process"/> the models are in the worker process, so each call is forwarded to the worker's pool.
/// </summary>
internal static class PoolEndpoints
{
    public static async Task<IResult> GetAsync(HttpContext http, ModelAccess models) => Worker(http) is { } worker
        ? await worker.ForwardAsync(http.Request, http.RequestAborted)
        : List(models, await models.ServedNamesAsync(http.RequestAborted));

    public static async Task<IResult> PinAsync(HttpContext http, ModelAccess models)
    {
        if (Worker(http) is { } worker)
        {
            return await worker.ForwardAsync(http.Request, http.RequestAborted);
        }

        // Pinning loads the model too (prewarm), as Ollama's keep_alive -1 and LM Studio's load do: a pin is for a model that must answer at once.
        LocalModel model = await ResolveAsync(http, models, "model", r => r.Model);
        models.Pool.Pin(model.Path);
        (await models.OpenAsync(model.Name, keepAlive: null, http.RequestAborted)).Dispose();

        return Results.Json(new { model = model.Name, path = models.Pool.GetServedPath(model.Path), pinned = true, loaded = true }, ServerJson.Options);
    }

    public static async Task<IResult> UnpinAsync(HttpContext http, ModelAccess models)
    {
        if (Worker(http) is { } worker)
        {
            return await worker.ForwardAsync(http.Request, http.RequestAborted);
        }

        LocalModel model = await ResolveAsync(http, models, "model", r => r.Model);
        bool was = models.Pool.Unpin(model.Path);
        return Results.Json(new { model = model.Name, path = model.Path, pinned = false, was_pinned = was }, ServerJson.Options);
    }

    /// <summary>Loads the replacement, then switches; answers once new requests go to it.</summary>
    public static async Task<IResult> SwapAsync(HttpContext http, ModelAccess models)
    {
        if (Worker(http) is { } worker)
        {
            return await worker.ForwardAsync(http.Request, http.RequestAborted);
        }

        PoolRequest request = await JsonBody.ReadAsync<PoolRequest>(http.Request, http.RequestAborted);
        LocalModel model = await ResolveLocalAsync(models, request.Model, "model", http.RequestAborted);
        LocalModel replacement = await ResolveLocalAsync(models, request.Replacement, "replacement", http.RequestAborted);
        await models.Pool.SwapAsync(model.Path, replacement.Path, http.RequestAborted);
        return Results.Json(new { model = model.Name, path = model.Path, replacement = replacement.Name, replacement_path = replacement.Path }, ServerJson.Options);
    }

    /// <summary>The model worker when local models run in one (never in the worker itself, whose isolation is off).</summary>
    private static ModelWorker? Worker(HttpContext http) =>
        http.RequestServices.GetService<ModelWorker>() is { IsEnabled: true } worker ? worker : null;

    private static IResult List(ModelAccess models, ILookup<string, string> names) => Results.Json(new
    {
        @object = "pool",
        max_loaded_models = models.Pool.Options.MaxLoadedModels,
        memory_budget_bytes = models.Pool.Options.MemoryBudgetBytes,
        data = models.Pool.GetLoadedModels().Select(m => new
        {
            path = m.Path,
            model = m.ModelId,
            names = names[m.Path],
            draining = m.IsDraining,
            estimated_bytes = m.EstimatedBytes,
            pinned = m.IsPinned,
            active_leases = m.ActiveLeases,
            context_size = m.ContextSize,
            expires_at = m.ExpiresAt?.ToUnixTimeSeconds(),
        }),
    }, ServerJson.Options);

    private static async Task<LocalModel> ResolveAsync(HttpContext http, ModelAccess models, string field, Func<PoolRequest, string?> name)
    {
        PoolRequest request = await JsonBody.ReadAsync<PoolRequest>(http.Request, http.RequestAborted);
        return await ResolveLocalAsync(models, name(request), field, http.RequestAborted);
    }

    private static async Task<LocalModel> ResolveLocalAsync(ModelAccess models, string? name, string field, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw ApiException.BadRequest($"'{field}' is required: a served model's name.", field);
        }

        LocalModel model = await models.ResolveAsync(name, cancellationToken);
        return model.IsRemote
            ? throw ApiException.BadRequest($"'{model.Name}' is served by a remote backend; only local models are pooled here.", field)
            : model;
    }
}
