namespace OffGrid.AspNetCore.Http;

/// <summary>
/// Turns exceptions escaping an endpoint into the JSON error body of its API, so that a bad request gets a clear
/// 4xx and the server keeps serving.
/// </summary>
internal sealed class ApiErrorFilter : IEndpointFilter
{
    private readonly Func<ApiError, object> _shape;

    /// <param name="shape">Builds the API's error body.</param>
    public ApiErrorFilter(Func<ApiError, object> shape)
    {
        _shape = shape;
    }

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
            if (error.StatusCode >= 500)
            {
                http.RequestServices.GetRequiredService<ILogger<ApiErrorFilter>>().LogError(ex, "{Method} {Path} failed.", http.Request.Method, http.Request.Path);
            }

            if (error.RetryAfter is { } retryAfter)
            {
                http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            return Results.Json(_shape(error), ServerJson.Options, statusCode: error.StatusCode);
        }
    }
}
