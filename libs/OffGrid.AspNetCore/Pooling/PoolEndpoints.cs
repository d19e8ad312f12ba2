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
/// (<c>{"model","replacement"}</c>: hot-swap the file behind a name; requests in flight finish on the old one), and
/// <c>POST /v1/pool/unload</c> (<c>{"model"}</c>: unload an idle model now, pinned or not; <c>{"path"}</c>: that file as it is,
/// no hot-swap followed). With <see cref="ModelIsolation.Process"/> the models are in the worker process, so each call acts on the
/// worker's pool.
/// </summary>
internal static class PoolEndpoints
{
    public static async Task<IResult> GetAsync(HttpContext http, ModelAccess models) => Worker(http) is { } worker
        ? await worker.ForwardAsync(http.Request, http.RequestAborted)
        : Results.Json(
            new PoolListing
            {
                MaxLoadedModels = models.Pool.Options.MaxLoadedModels,
                MemoryBudgetBytes = models.Pool.Options.MemoryBudgetBytes,
                Data = await models.GetLoadedAsync(http.RequestAborted),
            },
            ServerJson.Options);

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

    /// <summary>
    /// Unloads an idle model now (Ollama's <c>keep_alive: 0</c>): the file serving <c>model</c>, or the file at <c>path</c> as it is;
    /// one serving requests stays loaded, its <c>unloaded</c> false. Resolved here, unloaded where the models are (<see cref="ModelAccess.UnloadAsync(LocalModel, CancellationToken)"/>).
    /// </summary>
    public static async Task<IResult> UnloadAsync(HttpContext http, ModelAccess models)
    {
        PoolRequest request = await JsonBody.ReadAsync<PoolRequest>(http.Request, http.RequestAborted);
        if (request.Path is not { } path)
        {
            LocalModel model = await ResolveLocalAsync(models, request.Model, "model", http.RequestAborted);
            return Results.Json(await models.UnloadAsync(model, http.RequestAborted), ServerJson.Options);
        }

        if (request.Model is not null)
        {
            throw ApiException.BadRequest("Give 'model' (a served model's name) or 'path' (a loaded file's full path), not both.", "path");
        }

        return Path.IsPathFullyQualified(path)
            ? Results.Json(await models.UnloadFileAsync(path, http.RequestAborted), ServerJson.Options)
            : throw ApiException.BadRequest($"'path' must be a file's full path; '{path}' is not.", "path");
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
        string previous = await models.Pool.SwapAsync(model.Path, replacement.Path, http.RequestAborted);
        return Results.Json(new { model = model.Name, path = previous, replacement = replacement.Name, replacement_path = replacement.Path }, ServerJson.Options);
    }

    /// <summary>The model worker when local models run in one (never in the worker itself, whose isolation is off).</summary>
    private static ModelWorker? Worker(HttpContext http) =>
        http.RequestServices.GetService<ModelWorker>() is { IsEnabled: true } worker ? worker : null;

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

        LocalModel model;
        try
        {
            model = await models.ResolveAsync(name, cancellationToken);
        }
        catch (ModelNotFoundException notFound) when (field != "model")
        {
            throw new ApiException(StatusCodes.Status404NotFound, notFound.Message, field, "model_not_found");
        }

        return model.IsRemote
            ? throw ApiException.BadRequest($"'{model.Name}' is served by a remote backend; only local models are pooled here.", field)
            : model;
    }
}
