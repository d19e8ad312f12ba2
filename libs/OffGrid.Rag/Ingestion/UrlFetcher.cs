using System.Net;

namespace OffGrid.Rag.Ingestion;

/// <summary>Downloads a document over HTTP(S) with a size limit, a time limit and a bounded number of redirects.</summary>
internal sealed class UrlFetcher(HttpClient httpClient, long maxBytes, TimeSpan timeout, int maxRedirects)
{
    public async Task<LoadedContent> FetchAsync(Uri url, CancellationToken cancellationToken)
    {
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        try
        {
            return await FetchFollowingRedirectsAsync(url, timeoutSource.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DocumentReadException($"Fetching {url} took longer than {timeout.TotalSeconds:0.#} s.");
        }
        catch (HttpRequestException ex) when (ex.InnerException is DocumentReadException refused)
        {
            throw new DocumentReadException($"Fetching {url} was refused: {refused.Message}", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new DocumentReadException($"Fetching {url} failed: {ex.Message}", ex);
        }
    }

    private async Task<LoadedContent> FetchFollowingRedirectsAsync(Uri url, CancellationToken cancellationToken)
    {
        Uri current = url;
        for (int redirects = 0; ; redirects++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, current);
            using HttpResponseMessage response = await httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (IsRedirect(response.StatusCode))
            {
                if (redirects >= maxRedirects)
                {
                    throw new DocumentReadException($"Fetching {url} exceeded the limit of {maxRedirects} redirects.");
                }

                Uri location = response.Headers.Location ?? throw new DocumentReadException($"{current} redirected without a Location header.");
                current = location.IsAbsoluteUri ? location : new Uri(current, location);
                if (current.Scheme != Uri.UriSchemeHttp && current.Scheme != Uri.UriSchemeHttps)
                {
                    throw new DocumentReadException($"{url} redirected to the unsupported address {current}.");
                }

                continue;
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new DocumentReadException($"Fetching {current} failed with HTTP {(int)response.StatusCode} {response.ReasonPhrase}.");
            }

            if (response.Content.Headers.ContentLength > maxBytes)
            {
                throw new DocumentReadException($"{current} is {response.Content.Headers.ContentLength} bytes, more than the limit of {maxBytes}.");
            }

            byte[] body = await ReadLimitedAsync(response.Content, current, cancellationToken).ConfigureAwait(false);
            return new LoadedContent(body, response.Content.Headers.ContentType?.ToString(), current);
        }
    }

    private async Task<byte[]> ReadLimitedAsync(HttpContent content, Uri address, CancellationToken cancellationToken)
    {
        // The length header may be absent or wrong (chunked encoding), so the limit is enforced while reading.
        using Stream stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        byte[] block = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(block, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw new DocumentReadException($"{address} is larger than the limit of {maxBytes} bytes.");
            }

            buffer.Write(block, 0, read);
        }

        return buffer.ToArray();
    }

    private static bool IsRedirect(HttpStatusCode status) => status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther
        or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;
}
