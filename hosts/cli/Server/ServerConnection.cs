using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using OffGrid.Hub;

namespace OffGrid.Cli.Server;

/// <summary>
/// Calls a running OffGrid server's own API (<c>/v1/pool</c>…) for the commands that manage it (<c>offgrid ps</c>,
/// <c>offgrid pool</c>), with an API key when one is given. A server that does not answer is a
/// <see cref="HostUnreachableException"/>; an error answer is a <see cref="ServerRefusedException"/> with the server's message.
/// </summary>
/// <remarks>Not thread-safe; one per command.</remarks>
internal sealed class ServerConnection : IDisposable
{
    // Pinning or swapping loads a model first, which takes minutes for a large one on a slow disk.
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(10);

    private readonly HttpClient _http;

    /// <param name="server">The server's root, such as <c>http://127.0.0.1:11611/</c>.</param>
    /// <param name="apiKey">Sent as <c>Authorization: Bearer</c>; <see langword="null"/> for a single-user server on this machine.</param>
    public ServerConnection(Uri server, string? apiKey)
    {
        Server = server;
        _http = new HttpClient { BaseAddress = server, Timeout = s_timeout };
        if (!string.IsNullOrEmpty(apiKey))
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }
    }

    /// <summary>The server's root.</summary>
    public Uri Server { get; }

    /// <summary><c>GET</c> <paramref name="path"/> (relative to the root) and its JSON answer.</summary>
    public Task<JsonElement> GetAsync(string path, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, path), cancellationToken);

    /// <summary><c>POST</c> <paramref name="body"/> as JSON to <paramref name="path"/> and its JSON answer.</summary>
    public Task<JsonElement> PostAsync(string path, object body, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) }, cancellationToken);

    public void Dispose() => _http.Dispose();

    private async Task<JsonElement> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using (request)
        {
            // HttpClient makes the request's URI absolute when it sends it; the message names the path as it was asked for.
            string path = "/" + request.RequestUri!.OriginalString.TrimStart('/');
            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpRequestException || ex is TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                string reason = ex is TaskCanceledException ? $"no answer in {s_timeout.TotalMinutes:0} minutes" : (ex.InnerException ?? ex).Message;
                throw new HostUnreachableException($"No OffGrid server answers at {Server} ({reason}); start one with 'offgrid serve', or name it with --server.", ex);
            }

            using (response)
            {
                string text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                {
                    throw new ServerRefusedException(Server, request.Method, path, (int)response.StatusCode, HttpErrorMessage.Describe(text));
                }

                try
                {
                    using JsonDocument document = JsonDocument.Parse(text);
                    return document.RootElement.Clone();
                }
                catch (JsonException)
                {
                    throw new ServerRefusedException(Server, request.Method, path, (int)response.StatusCode, $"an answer that is not JSON: {HttpErrorMessage.Describe(text)}");
                }
            }
        }
    }
}
