using OffGrid.Server.Http;
using OffGrid.Server.Models;

namespace OffGrid.Server.Operations;

/// <summary><c>GET /health</c> and <c>GET /metrics</c>.</summary>
internal static class OperationsEndpoints
{
    public static IResult Health(ModelPreloader preloader, ModelAccess models)
    {
        string[] loaded = [.. models.GetLoaded().Select(m => m.ModelId)];
        return preloader.IsReady
            ? Results.Json(new { status = "ok", loaded_models = loaded }, ServerJson.Options)
            : Results.Json(new { status = preloader.Failure is null ? "loading" : "failed", error = preloader.Failure, loaded_models = loaded }, ServerJson.Options, statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    public static IResult Metrics(ServerMetrics metrics, ModelAccess models) =>
        Results.Text(metrics.Render(models.GetLoaded()), "text/plain; version=0.0.4; charset=utf-8");
}
