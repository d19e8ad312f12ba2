namespace OffGrid.Distribution.Peers;

/// <summary>Signs every outgoing peer request with the network secret (see <see cref="PeerAuthentication"/>), including the range requests of downloads.</summary>
/// <remarks>Thread-safe. Holds nothing to release: the inner handler is shared by every client of the peer network and is not disposed through this one.</remarks>
internal sealed class PeerRequestSigner : DelegatingHandler
{
    /// <summary>The request option holding the nonce a response proof must answer.</summary>
    public static readonly HttpRequestOptionsKey<string> NonceKey = new("OffGrid.Peers.Nonce");

    private readonly NetworkSecret _secret;
    private readonly TimeProvider _time;

    public PeerRequestSigner(NetworkSecret secret, HttpMessageHandler inner, TimeProvider? time = null)
        : base(inner)
    {
        _secret = secret;
        _time = time ?? TimeProvider.System;
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        (string header, string nonce) = PeerAuthentication.Sign(_secret, request.Method.Method, request.RequestUri!.PathAndQuery, _time.GetUtcNow());
        request.Headers.Remove("Authorization");
        request.Headers.TryAddWithoutValidation("Authorization", header);
        request.Options.Set(NonceKey, nonce);
        return base.SendAsync(request, cancellationToken);
    }
}
