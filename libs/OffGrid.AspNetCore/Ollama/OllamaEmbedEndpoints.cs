using System.Diagnostics;
using Microsoft.Extensions.AI;
using OffGrid.AspNetCore.Embeddings;
using OffGrid.AspNetCore.Http;
using OffGrid.AspNetCore.Models;

namespace OffGrid.AspNetCore.Ollama;

/// <summary><c>POST /api/embed</c> and the legacy <c>POST /api/embeddings</c>.</summary>
internal static class OllamaEmbedEndpoints
{
    public static async Task<IResult> EmbedAsync(HttpContext http, ModelAccess models)
    {
        long started = Stopwatch.GetTimestamp();
        CancellationToken cancellationToken = http.RequestAborted;
        OllamaEmbedRequest request = await JsonBody.ReadAsync<OllamaEmbedRequest>(http.Request, cancellationToken);
        string[] inputs = EmbeddingInput.Read(request.Input, "input");
        using ModelSession session = await models.OpenAsync(request.Model, KeepAlive.Read(request.KeepAlive), cancellationToken);
        GeneratedEmbeddings<Embedding<float>> embeddings = await EmbeddingGeneration.GenerateAsync(session, inputs, request.Dimensions, cancellationToken);
        return Results.Json(new
        {
            model = session.Model.Name,
            embeddings = embeddings.Select(e => e.Vector.ToArray()),
            total_duration = Stopwatch.GetElapsedTime(started).Ticks * 100,
            load_duration = session.LoadDuration.Ticks * 100,
            prompt_eval_count = embeddings.Usage?.InputTokenCount ?? 0,
        }, ServerJson.Options);
    }

    public static async Task<IResult> EmbeddingsAsync(HttpContext http, ModelAccess models)
    {
        CancellationToken cancellationToken = http.RequestAborted;
        OllamaEmbedRequest request = await JsonBody.ReadAsync<OllamaEmbedRequest>(http.Request, cancellationToken);
        string[] inputs = EmbeddingInput.Read(request.Prompt, "prompt");
        using ModelSession session = await models.OpenAsync(request.Model, KeepAlive.Read(request.KeepAlive), cancellationToken);
        GeneratedEmbeddings<Embedding<float>> embeddings = await EmbeddingGeneration.GenerateAsync(session, inputs, request.Dimensions, cancellationToken);
        return Results.Json(new { embedding = embeddings[0].Vector.ToArray() }, ServerJson.Options);
    }
}
