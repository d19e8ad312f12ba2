using OffGrid.AspNetCore.Http;
using OffGrid.Hub.HuggingFace;

namespace OffGrid.AspNetCore.Operations;

/// <summary><c>GET|POST /v1/search</c>: searches the model hub for GGUF models, with the Hub's filters.</summary>
internal static class SearchEndpoint
{
    public static Task<IResult> GetAsync(HttpContext http, HuggingFaceClient hub) =>
        SearchAsync(SearchRequest.FromQuery(http.Request.Query), hub, http.RequestAborted);

    public static async Task<IResult> PostAsync(HttpContext http, HuggingFaceClient hub) =>
        await SearchAsync(await JsonBody.ReadAsync<SearchRequest>(http.Request, http.RequestAborted), hub, http.RequestAborted);

    private static async Task<IResult> SearchAsync(SearchRequest request, HuggingFaceClient hub, CancellationToken cancellationToken)
    {
        IReadOnlyList<HubModelSummary> models = await hub.SearchModelsAsync(request.ToQuery(), cancellationToken);
        return Results.Json(new
        {
            @object = "list",
            data = models.Select(m => new
            {
                id = m.Id,
                author = m.Author,
                downloads = m.Downloads,
                likes = m.Likes,
                last_modified = m.LastModified,
                gated = m.IsGated,
                chat = m.IsChatModel,
                pipeline_tag = m.PipelineTag,
                tags = m.Tags,
                variants = m.Variants.Select(v => new { name = v.Name, quantization = v.Quantization?.ToString(), size_bytes = v.SizeBytes, files = v.Files }),
            }),
        }, ServerJson.Options);
    }
}
