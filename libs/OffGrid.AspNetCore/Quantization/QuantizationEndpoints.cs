using Microsoft.AspNetCore.Http;
using OffGrid.AspNetCore.Http;
using OffGrid.Inference.Quantization;

namespace OffGrid.AspNetCore.Quantization;

/// <summary>
/// <c>POST /v1/quantize</c> (start), <c>GET /v1/quantize</c> (list), <c>GET /v1/quantize/{id}</c> (poll progress),
/// <c>DELETE /v1/quantize/{id}</c> (cancel) and <c>GET /v1/quantize/types</c>.
/// </summary>
internal static class QuantizationEndpoints
{
    public static async Task<IResult> StartAsync(HttpContext http, QuantizationJobs jobs)
    {
        QuantizeRequest request = await JsonBody.ReadAsync<QuantizeRequest>(http.Request, http.RequestAborted);
        if (string.IsNullOrWhiteSpace(request.Model))
        {
            throw ApiException.BadRequest("'model' is required: the name of the model to quantize.", "model");
        }

        if (string.IsNullOrWhiteSpace(request.Type))
        {
            throw ApiException.BadRequest("'type' is required, for example \"Q4_K_M\"; GET /v1/quantize/types lists them.", "type");
        }

        QuantizationJob job = await jobs.StartAsync(request.Model, request.Type, request.Output, http.RequestAborted);
        return Results.Json(job.ToJson(), ServerJson.Options, statusCode: StatusCodes.Status202Accepted);
    }

    public static IResult List(QuantizationJobs jobs) =>
        Results.Json(new { @object = "list", data = jobs.List().Select(j => j.ToJson()) }, ServerJson.Options);

    public static IResult Get(string id, QuantizationJobs jobs) => Results.Json(Find(id, jobs).ToJson(), ServerJson.Options);

    public static IResult Types() =>
        Results.Json(new { @object = "list", data = QuantizationTarget.All.Select(t => new { name = t.Name, bits_per_weight = t.BitsPerWeight }) }, ServerJson.Options);

    /// <summary>Cancels a running job and answers once it has stopped; nothing enters the store. A finished job is answered as it is.</summary>
    public static async Task<IResult> CancelAsync(string id, QuantizationJobs jobs, CancellationToken cancellationToken)
    {
        QuantizationJob job = Find(id, jobs);
        job.Cancel();
        await job.Completion.WaitAsync(cancellationToken);
        return Results.Json(job.ToJson(), ServerJson.Options);
    }

    private static QuantizationJob Find(string id, QuantizationJobs jobs) =>
        jobs.Find(id) ?? throw new ApiException(StatusCodes.Status404NotFound, $"There is no quantization job '{id}'; see GET /v1/quantize.", "id", "job_not_found");
}
