using OffGrid.AspNetCore.Http;
using OffGrid.AspNetCore.Models;
using OffGrid.Hub.References;

namespace OffGrid.AspNetCore.OpenAi;

/// <summary><c>GET /v1/models</c> and <c>GET /v1/models/{id}</c>.</summary>
internal static class ModelsEndpoint
{
    public static async Task<IResult> ListAsync(HttpContext http, ModelAccess models) =>
        Results.Json(new { @object = "list", data = (await models.ListVisibleAsync(http)).Select(Describe) }, ServerJson.Options);

    public static async Task<IResult> GetAsync(string id, ModelAccess models, CancellationToken cancellationToken) =>
        Results.Json(Describe(await models.ResolveAsync(id, cancellationToken)), ServerJson.Options);

    private static object Describe(LocalModel model) => new
    {
        id = model.Name,
        @object = "model",
        created = File.Exists(model.Path) ? new DateTimeOffset(File.GetLastWriteTimeUtc(model.Path)).ToUnixTimeSeconds() : 0,
        owned_by = "offgrid",
    };
}
