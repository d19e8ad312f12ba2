namespace OffGrid.Inference.Remote;

/// <summary>
/// Sends a request again, on another connection, when the backend closed the connection before any byte of an answer: the
/// kept-alive connection went stale between two requests. llama-server (cpp-httplib) closes its connection after every
/// streamed answer although the answer says <c>Keep-Alive: timeout=5, max=100</c>, so the next request often leaves on a
/// connection whose close is still on the way; and any server closing an idle connection races a request the same way.
/// </summary>
/// <remarks>
/// SocketsHttpHandler does not resend a request with a body (a POST) itself once it is written. Here the body is buffered
/// first and at most <see cref="MaxResends"/> copies are sent; failures after the answer's headers arrived are never repeated
/// (they surface from reading the body, outside this handler), so a request the backend answered is not sent twice.
/// Thread-safe.
/// </remarks>
internal sealed class StaleConnectionRetryHandler : DelegatingHandler
{
    /// <summary>How many times a request is sent again: a second stale connection in the pool is possible, a third is not a race.</summary>
    internal const int MaxResends = 2;

    public StaleConnectionRetryHandler(HttpMessageHandler inner)
        : base(inner)
    {
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        byte[]? body = null;
        if (request.Content is not null)
        {
            await request.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
            body = await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        }

        for (int resends = 0; ; resends++)
        {
            using HttpRequestMessage? copy = resends == 0 ? null : Copy(request, body);
            try
            {
                return await base.SendAsync(copy ?? request, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException ex) when (ex.HttpRequestError == HttpRequestError.ResponseEnded && resends < MaxResends && !cancellationToken.IsCancellationRequested)
            {
                // Closed before the status line: the backend never took the request up; another connection is opened or taken.
            }
        }
    }

    private static HttpRequestMessage Copy(HttpRequestMessage request, byte[]? body)
    {
        var copy = new HttpRequestMessage(request.Method, request.RequestUri) { Version = request.Version, VersionPolicy = request.VersionPolicy };
        foreach (KeyValuePair<string, IEnumerable<string>> header in request.Headers)
        {
            copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        foreach (KeyValuePair<string, object?> option in request.Options)
        {
            ((IDictionary<string, object?>)copy.Options)[option.Key] = option.Value;
        }

        if (body is not null)
        {
            copy.Content = new ByteArrayContent(body);
            foreach (KeyValuePair<string, IEnumerable<string>> header in request.Content!.Headers)
            {
                copy.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        return copy;
    }
}
