using System.Globalization;
using OffGrid.AspNetCore.Http;
using OffGrid.Inference.Remote;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Middleware of the OffGrid HTTP surfaces.</summary>
public static class OffGridApplicationBuilderExtensions
{
    /// <summary>
    /// Gives the bodies routing leaves empty — 404 for an unknown route, 405 for a wrong method — the error shape of the
    /// API whose prefix the request is under (as mapped by <c>MapOpenAi</c>, <c>MapOllama</c>, <c>MapOffGrid</c>… at the app's
    /// top level, any prefix): <c>{"error":{"message",…}}</c> for OpenAI and OffGrid's API, <c>{"error":"…"}</c> for Ollama.
    /// Other paths keep the empty body. Call it before mapping the endpoints; requires <c>AddOffGridServer</c>.
    /// </summary>
    /// <param name="app">The application.</param>
    /// <returns><paramref name="app"/>.</returns>
    public static IApplicationBuilder UseOffGridStatusCodePages(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        ApiRoutePrefixes prefixes = app.ApplicationServices.GetRequiredService<ApiRoutePrefixes>();
        return app.UseStatusCodePages(context =>
        {
            HttpContext http = context.HttpContext;
            Func<ApiError, object>? shape = prefixes.FindShape(http.Request.Path);
            if (shape is null)
            {
                return Task.CompletedTask;
            }

            int status = http.Response.StatusCode;
            string message = status switch
            {
                StatusCodes.Status404NotFound => $"There is no {http.Request.Path} here.",
                StatusCodes.Status405MethodNotAllowed => $"{http.Request.Method} is not allowed on {http.Request.Path}.",
                _ => $"The request failed with status {status}.",
            };
            return http.Response.WriteAsJsonAsync(shape(new ApiError(status, message)), ServerJson.Options);
        });
    }

    /// <summary>
    /// Reads how many OffGrid servers each request has passed through (<see cref="RemoteHops.HeaderName"/>) so that the
    /// requests it causes to remote backends and model workers carry one more, and refuses a request over
    /// <see cref="RemoteHops.Limit"/> hops with 508 <c>backend_loop</c> in the API's error shape: a backend's endpoint leads
    /// back to a server the request came from. Call it first, before anything that calls a backend.
    /// </summary>
    /// <param name="app">The application.</param>
    /// <returns><paramref name="app"/>.</returns>
    public static IApplicationBuilder UseOffGridHops(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        ApiRoutePrefixes prefixes = app.ApplicationServices.GetRequiredService<ApiRoutePrefixes>();
        return app.Use((http, next) =>
        {
            int hops = RemoteHops.Enter(http.Request.Headers[RemoteHops.HeaderName]);
            if (hops <= RemoteHops.Limit)
            {
                return next(http);
            }

            var error = new ApiError(
                StatusCodes.Status508LoopDetected,
                $"This request has passed through {hops.ToString(CultureInfo.InvariantCulture)} OffGrid servers (at most {RemoteHops.Limit} are allowed): a backend's Endpoint leads back in a loop.",
                null,
                "backend_loop");
            http.Response.StatusCode = error.StatusCode;
            Func<ApiError, object>? shape = prefixes.FindShape(http.Request.Path);
            return shape is null ? Task.CompletedTask : http.Response.WriteAsJsonAsync(shape(error), ServerJson.Options);
        });
    }
}
