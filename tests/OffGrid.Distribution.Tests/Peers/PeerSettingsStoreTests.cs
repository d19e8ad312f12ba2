using OffGrid.Distribution.Peers;
using OffGrid.Testing;

namespace OffGrid.Distribution.Tests.Peers;

public sealed class PeerSettingsStoreTests : IDisposable
{
    private readonly string _home = TestPaths.NewTempDir("peer-settings");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ChangesAreSavedAndReadBackByAnotherStore()
    {
        var options = new DistributionOptions { HomeDirectory = _home };
        PeerSettings saved = await new PeerSettingsStore(options).UpdateAsync(s => s with { Sharing = true, Name = "lab-1", Port = 11700 }, Ct);

        PeerSettings read = await new PeerSettingsStore(options).GetAsync(Ct);

        Assert.Equal(saved.NodeId, read.NodeId);
        Assert.Equal(("lab-1", 11700, true), (read.Name, read.Port, read.Sharing));
    }

    [Theory]
    [InlineData("", 11612, "printable text")]
    [InlineData("   ", 11612, "printable text")]
    [InlineData("lab\n2", 11612, "printable text")]
    [InlineData("a-name-that-is-longer-than-a-dns-label-can-hold-sixty-three-bytes", 11612, "1 to 63 bytes")]
    [InlineData("lab-1", 0, "not a TCP port")]
    [InlineData("lab-1", 65536, "not a TCP port")]
    public async Task NamesAndPortsPeersCannotUseAreRefusedAndNothingIsSaved(string name, int port, string message)
    {
        var store = new PeerSettingsStore(new DistributionOptions { HomeDirectory = _home });

        var ex = await Assert.ThrowsAsync<PeerException>(() => store.UpdateAsync(s => s with { Name = name, Port = port }, Ct));

        Assert.Equal(PeerProblem.InvalidInput, ex.Problem);
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_home, "p2p.json")));
    }

    public void Dispose() => Directory.Delete(_home, recursive: true);
}
