using System.Net;

namespace OffGrid.Hub;

/// <summary>
/// Thrown when a server answers a hub request (API call or file download) with an error status that retrying
/// will not fix, or with 429 after the retries are spent.
/// </summary>
public sealed class HubHttpException : Exception
{
    /// <summary>Initializes a new instance with a default message.</summary>
    public HubHttpException()
        : base("The server refused the request.")
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public HubHttpException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and the underlying cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The underlying cause.</param>
    public HubHttpException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance for a status code returned by <paramref name="requestUri"/>.</summary>
    /// <param name="statusCode">The HTTP status code.</param>
    /// <param name="requestUri">The address that was requested.</param>
    /// <param name="message">What went wrong, in words for the user.</param>
    /// <param name="retryAfter">The delay the server asked for (429, 503), if any.</param>
    public HubHttpException(HttpStatusCode statusCode, Uri? requestUri, string message, TimeSpan? retryAfter = null)
        : base(message)
    {
        StatusCode = statusCode;
        RequestUri = requestUri;
        RetryAfter = retryAfter;
    }

    /// <summary>Gets the HTTP status code, when the error came from a response.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>Gets the address that was requested.</summary>
    public Uri? RequestUri { get; }

    /// <summary>Gets the delay the server asked the client to wait (the <c>Retry-After</c> header), if any.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>Gets a value indicating whether trying again later may succeed (429, 408 and 5xx).</summary>
    public bool IsTransient => StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout or >= HttpStatusCode.InternalServerError;

    /// <summary>Creates the exception for an unsuccessful response, with a message that says what the status means.</summary>
    /// <param name="response">The unsuccessful response.</param>
    /// <param name="hint">Extra advice appended to the message for authentication failures, for example which token to set.</param>
    /// <returns>The exception.</returns>
    internal static HubHttpException FromResponse(HttpResponseMessage response, string? hint = null)
    {
        Uri? uri = response.RequestMessage?.RequestUri;
        TimeSpan? retryAfter = RetryAfterOf(response);
        int code = (int)response.StatusCode;
        string meaning = response.StatusCode switch
        {
            HttpStatusCode.Unauthorized => "authentication is required or the token is invalid",
            HttpStatusCode.Forbidden => "access is denied (the repository may be gated or private)",
            HttpStatusCode.NotFound => "not found",
            HttpStatusCode.TooManyRequests => "rate limited" + (retryAfter is { } ra ? $", retry after {ra.TotalSeconds:0} s" : string.Empty),
            _ => response.ReasonPhrase ?? "request failed",
        };
        string suffix = hint is not null && response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden ? " " + hint : string.Empty;
        return new HubHttpException(response.StatusCode, uri, $"HTTP {code} for {uri}: {meaning}.{suffix}", retryAfter);
    }

    /// <summary>Reads the <c>Retry-After</c> header (seconds or an HTTP date) as a delay from now.</summary>
    /// <param name="response">The response.</param>
    /// <returns>The delay, never negative; <see langword="null"/> without the header.</returns>
    internal static TimeSpan? RetryAfterOf(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - DateTimeOffset.UtcNow is { Ticks: > 0 } d ? d : TimeSpan.Zero,
        _ => null,
    };
}
