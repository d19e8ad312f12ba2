using System.Globalization;
using Microsoft.AspNetCore.Http;
using OffGrid.Governance.Quotas;

namespace OffGrid.Governance.AspNetCore;

/// <summary>The rate-limit headers of a 429 caused by a quota, as OpenAI-compatible clients read them.</summary>
public static class QuotaHttpHeaders
{
    /// <summary>
    /// Sets status 429, <c>Retry-After</c> (whole seconds, at least 1), and <c>x-ratelimit-limit-*</c>,
    /// <c>x-ratelimit-remaining-*</c> (0) and <c>x-ratelimit-reset-*</c> (for example <c>42s</c>) for the quota reached:
    /// <c>requests</c> (per minute), <c>tokens</c> (per day) or <c>concurrent</c>. The body is left to the API's error writer.
    /// </summary>
    /// <param name="response">The response, before it has started.</param>
    /// <param name="exception">The quota refusal.</param>
    public static void SetQuotaHeaders(this HttpResponse response, QuotaExceededException exception)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(exception);
        string dimension = exception.Kind switch
        {
            QuotaKind.TokensPerDay => "tokens",
            QuotaKind.RequestsPerMinute => "requests",
            _ => "concurrent",
        };
        long seconds = Math.Max(1, (long)Math.Ceiling(exception.RetryAfter.TotalSeconds));
        response.StatusCode = StatusCodes.Status429TooManyRequests;
        response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        response.Headers[$"x-ratelimit-limit-{dimension}"] = exception.Limit.ToString(CultureInfo.InvariantCulture);
        response.Headers[$"x-ratelimit-remaining-{dimension}"] = "0";
        response.Headers[$"x-ratelimit-reset-{dimension}"] = seconds.ToString(CultureInfo.InvariantCulture) + "s";
    }
}
