using OffGrid.AspNetCore.Http;
using OffGrid.AspNetCore.Models;
using OffGrid.Inference.Benchmarking;
using OffGrid.Inference.Pooling;

namespace OffGrid.AspNetCore.Operations;

/// <summary><c>POST /v1/benchmark</c>: prompt and generation throughput of a model on this server, per run and summarised.</summary>
internal static class BenchmarkEndpoint
{
    public static async Task<IResult> HandleAsync(HttpContext http, ModelAccess models)
    {
        CancellationToken cancellationToken = http.RequestAborted;
        BenchmarkRequest request = await JsonBody.ReadAsync<BenchmarkRequest>(http.Request, cancellationToken);
        var defaults = new LlamaBenchmarkOptions();
        var options = new LlamaBenchmarkOptions
        {
            PromptTokens = request.PromptTokens ?? defaults.PromptTokens,
            OutputTokens = request.OutputTokens ?? defaults.OutputTokens,
            Iterations = request.Iterations ?? defaults.Iterations,
            ConcurrentStreams = request.ConcurrentStreams ?? defaults.ConcurrentStreams,
        };
        foreach ((string field, int value, int max) in new[]
        {
            ("prompt_tokens", options.PromptTokens, int.MaxValue), ("output_tokens", options.OutputTokens, int.MaxValue),
            ("iterations", options.Iterations, 100), ("concurrent_streams", options.ConcurrentStreams, int.MaxValue),
        })
        {
            if (value < 1 || value > max)
            {
                throw ApiException.BadRequest(max == int.MaxValue ? $"'{field}' must be at least 1." : $"'{field}' must be from 1 to {max}.", field);
            }
        }

        using ModelSession session = await models.OpenAsync(request.Model, keepAlive: null, cancellationToken);
        LlamaModelLease lease = session.Lease
            ?? throw ApiException.BadRequest(session.Model.IsRemote
                ? $"'{session.Model.Name}' is served by remote backends; benchmarks measure models on this server (GET /v1/backends shows the backends' time to first token)."
                : $"'{session.Model.Name}' runs in the model worker process (Server:Isolation is Process); benchmarks measure models loaded in this server's own process.", "model");
        LlamaBenchmarkResult result = await LlamaBenchmark.RunAsync(lease.Engine, options, progress: null, cancellationToken);
        return Results.Json(new
        {
            model = session.Model.Name,
            prompt_tokens = options.PromptTokens,
            output_tokens = options.OutputTokens,
            iterations = options.Iterations,
            concurrent_streams = options.ConcurrentStreams,
            runs = result.Runs.Select(r => new
            {
                iteration = r.Iteration,
                prompt_tokens = r.PromptTokens,
                output_tokens = r.OutputTokens,
                prompt_seconds = r.PromptDuration.TotalSeconds,
                total_seconds = r.Total.TotalSeconds,
                prompt_tokens_per_second = r.PromptTokensPerSecond,
                generation_tokens_per_second = r.GenerationTokensPerSecond,
            }),
            summary = new
            {
                prompt_tokens_per_second = result.PromptTokensPerSecond,
                generation_tokens_per_second = result.GenerationTokensPerSecond,
                total_seconds = result.Total.TotalSeconds,
                model_size_bytes = result.ModelSizeBytes,
                peak_working_set_bytes = result.PeakWorkingSetBytes,
            },
        }, ServerJson.Options);
    }
}
