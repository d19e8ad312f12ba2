using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace OffGrid.Distribution.Peers;

/// <summary>
/// Talks to peers with signed requests: their status and model lists (answers must carry a valid proof, or they are
/// not from this network), and the HTTP client that downloads their files.
/// </summary>
/// <remarks>Thread-safe. Dispose when the operation ends.</remarks>
internal sealed class PeerClient : IDisposable
{
    private const int MaxJsonBytes = 32 << 20;
    private readonly NetworkSecret _secret;

    public PeerClient(NetworkSecret secret, HttpMessageHandler sharedHandler)
    {
        _secret = secret;
        Http = new HttpClient(new PeerRequestSigner(secret, sharedHandler), disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>Gets the client that signs every request; downloads use it with the Hub's downloader.</summary>
    public HttpClient Http { get; }

    public static Uri EndpointFor(string host, int port, string path = PeerWire.DefaultPrefix)
    {
        string hostPart = IPAddress.TryParse(host, out IPAddress? ip) && ip.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{host}]" : host;
        return new Uri($"http://{hostPart}:{port}{path.TrimEnd('/')}/");
    }

    public async Task<PeerInfo> GetPeerAsync(Uri endpoint, PeerDiscoveryMethod discovery, TimeSpan timeout, CancellationToken ct)
    {
        PeerWire.Status status = await GetJsonAsync<PeerWire.Status>(new Uri(endpoint, "status"), endpoint, timeout, ct).ConfigureAwait(false);
        return new PeerInfo(status.Id, status.Name, endpoint, status.Version, status.Models, discovery);
    }

    public Task<PeerWire.ModelList> GetModelsAsync(PeerInfo peer, TimeSpan timeout, CancellationToken ct) =>
        GetJsonAsync<PeerWire.ModelList>(new Uri(peer.Endpoint, "models"), peer.Endpoint, timeout, ct);

    public static Uri FileUri(PeerInfo peer, string sha256) => new(peer.Endpoint, "files/" + sha256);

    public void Dispose() => Http.Dispose();

    private async Task<T> GetJsonAsync<T>(Uri uri, Uri peer, TimeSpan timeout, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        try
        {
            using HttpResponseMessage response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                throw new PeerException(PeerProblem.NotSharing, $"{Describe(peer)} does not share with this network: sharing is off there, or it has another network secret.");
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new PeerException(PeerProblem.Unreachable, $"{Describe(peer)} answered {(int)response.StatusCode} {response.ReasonPhrase}.");
            }

            if (response.Content.Headers.ContentLength > MaxJsonBytes)
            {
                throw new PeerException(PeerProblem.Unreachable, $"{Describe(peer)} sent an answer of {response.Content.Headers.ContentLength} bytes, more than a listing can be.");
            }

            byte[] body = await response.Content.ReadAsByteArrayAsync(deadline.Token).ConfigureAwait(false);
            string? proof = response.Headers.TryGetValues(PeerAuthentication.ProofHeader, out IEnumerable<string>? values) ? values.FirstOrDefault() : null;
            if (!request.Options.TryGetValue(PeerRequestSigner.NonceKey, out string? nonce) || !PeerAuthentication.VerifyProof(_secret, nonce, body, proof))
            {
                throw new PeerException(PeerProblem.NotSharing, $"{Describe(peer)} answered without proof of this network's secret; ignoring it.");
            }

            return JsonSerializer.Deserialize<T>(body, PeerWire.Json) ?? throw new PeerException(PeerProblem.Unreachable, $"{Describe(peer)} sent an empty answer.");
        }
        catch (JsonException ex)
        {
            throw new PeerException(PeerProblem.Unreachable, $"{Describe(peer)} sent an answer that is not the peer protocol: {ex.Message}", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new PeerException(PeerProblem.Unreachable, $"{Describe(peer)} is unreachable: {ex.Message}", ex);
        }
        catch (OperationCanceledException ex) when (!ct.IsCancellationRequested)
        {
            throw new PeerException(PeerProblem.Unreachable, $"{Describe(peer)} did not answer within {timeout.TotalSeconds:0.#} s.", ex);
        }
    }

    private static string Describe(Uri peer) => $"The peer at {peer.Authority}";
}
