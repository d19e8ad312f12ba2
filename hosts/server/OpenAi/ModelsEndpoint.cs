using OffGrid.Server.Http;
using OffGrid.Server.Models;

namespace OffGrid.Server.OpenAi;

/// <summary><c>GET /v1/models</c> and <c>GET /v1/models/{id}</c>.</summary>
internal static class ModelsEndpoint
{
    public static IResult List(ModelCatalog catalog) =>
        Results.Json(new { @object = "list", data = catalog.List().Select(Describe) }, ServerJson.Options);

    public static IResult Get(string id, ModelCatalog catalog) =>
        Results.Json(Describe(catalog.Resolve(id)), ServerJson.Options);

    private static object Describe(ServedModel model) => new
    {
        id = model.Name,
        @object = "model",
        created = File.Exists(model.Path) ? new DateTimeOffset(File.GetLastWriteTimeUtc(model.Path)).ToUnixTimeSeconds() : 0,
        owned_by = "offgrid",
    };
}
