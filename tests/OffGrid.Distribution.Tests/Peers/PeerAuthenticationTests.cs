using System.Text;
using OffGrid.Distribution.Peers;

namespace OffGrid.Distribution.Tests.Peers;

public sealed class PeerAuthenticationTests
{
    private readonly NetworkSecret _secret = NetworkSecret.Parse("the lab network secret");
    private readonly PeerAuthentication _server = new(TimeSpan.FromMinutes(5));

    [Fact]
    public void ASignedRequestIsAcceptedOnceOnly()
    {
        (string header, string nonce) = PeerAuthentication.Sign(_secret, "GET", "/peer/v1/models", DateTimeOffset.UtcNow);

        Assert.Equal(nonce, _server.Verify(_secret, header, "GET", "/peer/v1/models"));
        Assert.Null(_server.Verify(_secret, header, "GET", "/peer/v1/models")); // replayed
        Assert.DoesNotContain("lab network", header, StringComparison.Ordinal);
    }

    [Fact]
    public void AnotherSecretPathMethodOrTimeIsRefused()
    {
        (string header, _) = PeerAuthentication.Sign(_secret, "GET", "/peer/v1/models", DateTimeOffset.UtcNow);
        (string old, _) = PeerAuthentication.Sign(_secret, "GET", "/peer/v1/models", DateTimeOffset.UtcNow.AddMinutes(-6));

        Assert.Null(_server.Verify(NetworkSecret.Parse("another network secret"), header, "GET", "/peer/v1/models"));
        Assert.Null(_server.Verify(_secret, header, "GET", "/peer/v1/files/" + new string('0', 64)));
        Assert.Null(_server.Verify(_secret, header, "DELETE", "/peer/v1/models"));
        Assert.Null(_server.Verify(_secret, old, "GET", "/peer/v1/models"));
        Assert.Null(_server.Verify(_secret, null, "GET", "/peer/v1/models"));
        Assert.Null(_server.Verify(_secret, "Bearer abc", "GET", "/peer/v1/models"));
        Assert.Null(_server.Verify(_secret, "OffGrid-P2P ts=1,nonce=short,sig=AAAA", "GET", "/peer/v1/models"));
    }

    [Fact]
    public void AResponseProofBindsTheBodyToTheRequest()
    {
        byte[] body = Encoding.UTF8.GetBytes("{\"models\":[]}");
        string proof = PeerAuthentication.Proof(_secret, "nonce-of-request-1", body);

        Assert.True(PeerAuthentication.VerifyProof(_secret, "nonce-of-request-1", body, proof));
        Assert.False(PeerAuthentication.VerifyProof(_secret, "nonce-of-request-2", body, proof));
        Assert.False(PeerAuthentication.VerifyProof(_secret, "nonce-of-request-1", Encoding.UTF8.GetBytes("{\"models\":[1]}"), proof));
        Assert.False(PeerAuthentication.VerifyProof(NetworkSecret.Parse("another network secret"), "nonce-of-request-1", body, proof));
        Assert.False(PeerAuthentication.VerifyProof(_secret, "nonce-of-request-1", body, null));
    }
}
