using System.Globalization;
using OffGrid.AspNetCore.OpenAi;
using OffGrid.Governance.AspNetCore;
using OffGrid.Governance.Quotas;

namespace OffGrid.AspNetCore.Http;

/// <summary>
/// Turns exceptions escaping an endpoint into the JSON error body of its API, so that a bad request gets a clear
/// 4xx and the server keeps serving. Each API's route group carries its filter as endpoint metadata too, so that
/// refusals made before the endpoint runs (authentication, rate limiting) answer in the same shape.
/// </summary>
internal sealed class ApiErrorFilter : IEndpointFilter
{
    /// <param name="shape">Builds the API's error body.</param>
    public ApiErrorFilter(Func<ApiError, object> shape)
    {
        Shape = shape;
    }

    /// <summary>Builds the API's error body.</summary>
    public Func<ApiError, object> Shape { get; }

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        HttpContext http = context.HttpContext;
        try
        {
            return await next(context).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client went away: there is nobody to answer.
            return Results.Empty;
        }
        catch (Exception ex) when (!http.Response.HasStarted)
        {
            ApiError error = ApiError.From(ex);
            ILogger logger = http.RequestServices.GetRequiredService<ILogger<ApiErrorFilter>>();
            if (error.IsUpstream)
            {
                // Not a bug here: the message says which host failed and what works offline; a stack trace adds nothing.
                logger.LogWarning("{Method} {Path}: {Status} {Message}", http.Request.Method, http.Request.Path, error.StatusCode, error.Message);
            }
            else if (error.StatusCode >= 500 && error.IsExplained)
            {
                // A failure OffGrid explains (a model that cannot load, a cache type it cannot use): one line says it all.
                logger.LogError("{Method} {Path}: {Status} {Message}", http.Request.Method, http.Request.Path, error.StatusCode, error.Message);
            }
            else if (error.StatusCode >= 500)
            {
                logger.LogError(ex, "{Method} {Path} failed.", http.Request.Method, http.Request.Path);
            }

            if (ex is QuotaExceededException quota)
            {
                http.Response.SetQuotaHeaders(quota);
            }

            SetRetryAfter(http.Response, error);
            return Results.Json(Shape(error), ServerJson.Options, statusCode: error.StatusCode);
        }
    }

    /// <summary>
    /// Writes <paramref name="error"/> as the response, in the error shape of the API the request was routed to (OpenAI's
    /// when it matched no endpoint): for refusals made by middleware before any endpoint runs.
    /// </summary>
    public static Task WriteAsync(HttpContext http, ApiError error)
    {
        Func<ApiError, object> shape = http.GetEndpoint()?.Metadata.GetMetadata<ApiErrorFilter>()?.Shape ?? OpenAiShapes.Error;
        http.Response.StatusCode = error.StatusCode;
        SetRetryAfter(http.Response, error);
        return http.Response.WriteAsJsonAsync(shape(error), ServerJson.Options, http.RequestAborted);
    }

    /// <summary>Writes a refusal of OffGrid governance (401, 403, 429 from authentication) in the request's API shape.</summary>
    public static Task WriteAsync(HttpContext http, GovernanceHttpError error) =>
        WriteAsync(http, new ApiError(error.StatusCode, error.Message, null, error.Code));

    private static void SetRetryAfter(HttpResponse response, ApiError error)
    {
        if (error.RetryAfter is { } retryAfter)
        {
            response.Headers.RetryAfter = Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }
    }
}
