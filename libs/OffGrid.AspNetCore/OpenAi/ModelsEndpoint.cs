using OffGrid.AspNetCore.Backends;
using OffGrid.AspNetCore.Http;
using OffGrid.AspNetCore.Models;
using OffGrid.Hub.References;

namespace OffGrid.AspNetCore.OpenAi;

/// <summary>
/// <c>GET /v1/models</c> and <c>GET /v1/models/{id}</c>: local and remote models in one list; a remote model's <c>owned_by</c>
/// names its backends, also listed in OffGrid's extra <c>backends</c> field.
/// </summary>
internal static class ModelsEndpoint
{
    public static async Task<IResult> ListAsync(HttpContext http, ModelAccess models, RemoteBackends backends) =>
        Results.Json(new { @object = "list", data = (await models.ListVisibleAsync(http)).Select(m => Describe(m, backends)) }, ServerJson.Options);

    public static async Task<IResult> GetAsync(string id, HttpContext http, ModelAccess models, RemoteBackends backends) =>
        Results.Json(Describe(await models.ResolveVisibleAsync(http, id), backends), ServerJson.Options);

    private static object Describe(LocalModel model, RemoteBackends backends)
    {
        if (!model.IsRemote)
        {
            return new
            {
                id = model.Name,
                @object = "model",
                created = File.Exists(model.Path) ? new DateTimeOffset(File.GetLastWriteTimeUtc(model.Path)).ToUnixTimeSeconds() : 0,
                owned_by = "offgrid",
            };
        }

        string[] names = [.. backends.MembersOf(model.Name).Select(m => m.Backend.Name)];
        return new { id = model.Name, @object = "model", created = 0, owned_by = string.Join(",", names), backends = names };
    }
}
