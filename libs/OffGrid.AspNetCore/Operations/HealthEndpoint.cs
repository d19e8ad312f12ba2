using OffGrid.AspNetCore.Http;
using OffGrid.AspNetCore.Models;

namespace OffGrid.AspNetCore.Operations;

/// <summary><c>GET /health</c>: 200 once the preloaded models are loaded (and the model worker, when there is one, is healthy), else 503
/// with <c>loading</c>, <c>failed</c>, or the worker's <c>restarting</c> or <c>unresponsive</c>; lists the loaded models by the names clients use (the model worker's, when there is one).</summary>
internal static class HealthEndpoint
{
    public static async Task<IResult> GetAsync(ModelPreloader preloader, ModelAccess models, CancellationToken cancellationToken)
    {
        string[] loaded = [.. (await models.GetLoadedAsync(cancellationToken))
            .Where(m => !m.Draining)
            .SelectMany(m => m.Names.DefaultIfEmpty(m.Model))
            .Distinct(StringComparer.Ordinal)];
        string? failure = preloader.Failure ?? models.WorkerProblem;
        return preloader.IsReady && models.IsWorkerReady
            ? Results.Json(new { status = "ok", loaded_models = loaded }, ServerJson.Options)
            : Results.Json(new { status = preloader.Failure is null ? models.WorkerStatus ?? "loading" : "failed", error = failure, loaded_models = loaded }, ServerJson.Options, statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}
