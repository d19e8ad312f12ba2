using OffGrid.Server.Http;
using OffGrid.Server.Models;

namespace OffGrid.Server.OpenAi;

/// <summary><c>GET /v1/models</c> and <c>GET /v1/models/{id}</c>.</summary>
internal static class ModelsEndpoint
{
    public static async Task<IResult> ListAsync(ModelCatalog catalog, CancellationToken cancellationToken) =>
        Results.Json(new { @object = "list", data = (await catalog.ListAsync(cancellationToken)).Select(Describe) }, ServerJson.Options);

    public static async Task<IResult> GetAsync(string id, ModelCatalog catalog, CancellationToken cancellationToken) =>
        Results.Json(Describe(await catalog.ResolveAsync(id, cancellationToken)), ServerJson.Options);

    private static object Describe(ServedModel model) => new
    {
        id = model.Name,
        @object = "model",
        created = File.Exists(model.Path) ? new DateTimeOffset(File.GetLastWriteTimeUtc(model.Path)).ToUnixTimeSeconds() : 0,
        owned_by = "offgrid",
    };
}
