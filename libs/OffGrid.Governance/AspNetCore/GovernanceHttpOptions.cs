using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace OffGrid.Governance.AspNetCore;

/// <summary>How the governance HTTP layer writes its error responses.</summary>
public sealed class GovernanceHttpOptions
{
    /// <summary>
    /// Gets or sets the writer of 401/403/429 bodies, so that each API answers in its own error shape (the status code and
    /// headers are set before it runs). Defaults to OpenAI's shape: <c>{"error":{"message","type","code"}}</c>.
    /// </summary>
    public Func<HttpContext, GovernanceHttpError, Task> WriteError { get; set; } = WriteOpenAiError;

    /// <summary>Writes <paramref name="error"/> in OpenAI's error shape.</summary>
    /// <param name="context">The request.</param>
    /// <param name="error">The error.</param>
    /// <returns>A task that completes when written.</returns>
    public static Task WriteOpenAiError(HttpContext context, GovernanceHttpError error)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(error);
        string type = error.StatusCode switch
        {
            401 => "authentication_error",
            403 => "permission_error",
            429 => "rate_limit_error",
            _ => "invalid_request_error",
        };
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(
            JsonSerializer.Serialize(new { error = new { message = error.Message, type, param = (string?)null, code = error.Code } }),
            context.RequestAborted);
    }
}
