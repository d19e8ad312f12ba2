using OffGrid.AspNetCore.Http;
using OffGrid.AspNetCore.Models;

namespace OffGrid.AspNetCore.Operations;

/// <summary><c>GET /health</c>: 200 once the preloaded models are loaded (and the model worker, when there is one, is healthy), else 503; lists the loaded models by the names clients use.</summary>
internal static class HealthEndpoint
{
    public static async Task<IResult> GetAsync(ModelPreloader preloader, ModelAccess models, CancellationToken cancellationToken)
    {
        ILookup<string, string> served = await models.ServedNamesAsync(cancellationToken);
        string[] loaded = [.. models.GetLoaded()
            .Where(m => !m.IsDraining)
            .SelectMany(m => served[m.Path].DefaultIfEmpty(m.ModelId))
            .Distinct(StringComparer.Ordinal)];
        string? failure = preloader.Failure ?? (models.IsWorkerReady ? null : "The model worker process is starting.");
        return preloader.IsReady && models.IsWorkerReady
            ? Results.Json(new { status = "ok", loaded_models = loaded }, ServerJson.Options)
            : Results.Json(new { status = preloader.Failure is null ? "loading" : "failed", error = failure, loaded_models = loaded }, ServerJson.Options, statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}
