using OffGrid.Distribution.Peers;

namespace OffGrid.Distribution.Tests.Peers;

public sealed class PeerModelReferenceTests
{
    [Theory]
    [InlineData("peer:lab-2/acme/Tiny-GGUF:Q8_0", "lab-2", "acme/Tiny-GGUF:Q8_0")]
    [InlineData("peer:*/local/stories260K", "*", "local/stories260K")]
    [InlineData("PEER:10.0.0.7:11612,lab-3/m", "10.0.0.7:11612,lab-3", "m")]
    public void ParsesThePeersAndTheModel(string text, string peers, string model)
    {
        Assert.True(PeerModelReference.TryParse(text, out PeerModelReference? reference));
        Assert.Equal(peers, reference.Peers);
        Assert.Equal(model, reference.Model);
    }

    [Theory]
    [InlineData("llama3.2")]
    [InlineData("peer:")]
    [InlineData("peer:lab-2")]
    [InlineData("peer:/model")]
    [InlineData("peer:lab-2/")]
    public void OtherReferencesAreNotPeerReferences(string text) => Assert.False(PeerModelReference.TryParse(text, out _));

    [Theory]
    [InlineData("10.0.0.7:11612", "10.0.0.7", 11612)]
    [InlineData("10.0.0.7", "10.0.0.7", 11612)]
    [InlineData("lab-2.example.internal:9000", "lab-2.example.internal", 9000)]
    [InlineData("[fe80::1]:11700", "fe80::1", 11700)]
    public void PeerAddressesParse(string text, string host, int port)
    {
        Assert.True(PeerNetwork.TryParseAddress(text, out string? parsedHost, out int parsedPort));
        Assert.Equal(host, parsedHost);
        Assert.Equal(port, parsedPort);
    }

    [Theory]
    [InlineData("lab-2")]
    [InlineData("10.0.0.7:0")]
    [InlineData("10.0.0.7:99999")]
    [InlineData("host:port")]
    public void BadAddressesAreRefused(string text) => Assert.False(PeerNetwork.TryParseAddress(text, out _, out _));
}
