using OffGrid.AspNetCore.Http;

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
}
