using System.Runtime.InteropServices;
using Microsoft.Extensions.AI;
using OffGrid.AspNetCore.Embeddings;
using OffGrid.AspNetCore.Http;
using OffGrid.AspNetCore.Models;

namespace OffGrid.AspNetCore.OpenAi;

/// <summary><c>POST /v1/embeddings</c>.</summary>
internal static class EmbeddingEndpoint
{
    public static async Task<IResult> HandleAsync(HttpContext http, ModelAccess models)
    {
        CancellationToken cancellationToken = http.RequestAborted;
        EmbeddingRequest request = await JsonBody.ReadAsync<EmbeddingRequest>(http.Request, cancellationToken);
        string[] inputs = EmbeddingInput.Read(request.Input, "input");
        bool base64 = request.EncodingFormat switch
        {
            null or "float" => false,
            "base64" => true,
            _ => throw ApiException.BadRequest("'encoding_format' must be 'float' or 'base64'.", "encoding_format"),
        };

        using ModelSession session = await models.OpenAsync(request.Model, keepAlive: null, cancellationToken);
        GeneratedEmbeddings<Embedding<float>> embeddings = await EmbeddingGeneration.GenerateAsync(session, inputs, request.Dimensions, cancellationToken);
        return Results.Json(new
        {
            @object = "list",
            data = embeddings.Select((e, index) => new
            {
                @object = "embedding",
                index,
                embedding = base64 ? Convert.ToBase64String(MemoryMarshal.AsBytes(e.Vector.Span)) : (object)e.Vector.ToArray(),
            }),
            model = session.Model.Name,
            usage = new { prompt_tokens = embeddings.Usage?.InputTokenCount ?? 0, total_tokens = embeddings.Usage?.TotalTokenCount ?? 0 },
        }, ServerJson.Options);
    }
}
