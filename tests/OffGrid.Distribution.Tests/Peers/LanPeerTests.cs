using System.Text.Json;
using OffGrid.Cli.Tests;
using OffGrid.Testing;

namespace OffGrid.Distribution.Tests.Peers;

/// <summary>
/// Real offgrid processes on an isolated LAN of network namespaces: discovery over DNS-SD, listings, downloads from one
/// and from two peers, a peer killed mid-transfer, a resumed download, a tampered file, and a machine with another
/// secret that nobody sees. Needs root (CI runs as root); skipped with the reason otherwise.
/// </summary>
public sealed class LanPeerTests : IClassFixture<LanFixture>
{
    private readonly LanFixture _lan;

    public LanPeerTests(LanFixture lan)
    {
        _lan = lan;
        if (lan.Unavailable is { } reason)
        {
            Assert.Skip("No isolated LAN: " + reason + ".");
        }
    }

    [Fact]
    public async Task DiscoveryFindsThePeersOfTheNetworkAndNoOneElse()
    {
        using OffGridCli dave = await _lan.ClientAsync();

        CliResult peers = await dave.RunAsync("peers", "--json");

        peers.AssertSuccess();
        using JsonDocument found = JsonDocument.Parse(peers.Stdout);
        Assert.Equal(["alice", "bob"], found.RootElement.EnumerateArray().Select(p => p.GetProperty("name").GetString()));
        Assert.All(found.RootElement.EnumerateArray(), p => Assert.Equal("multicast", p.GetProperty("discovery").GetString()));

        // Carol, with another secret, sees none of them, and they do not see her.
        CliResult carolsView = await _lan.HomeOf("c").RunAsync("peers", "--json");
        carolsView.AssertSuccess();
        Assert.Equal("[]", carolsView.Stdout.Trim());
        CliResult carolByAddress = await dave.RunAsync("peers", $"{_lan.Lan.Addresses["c"]}:11612");
        Assert.Contains("does not share with this network", carolByAddress.AssertOneLineFailure(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task APeersListingShowsSizesDigestsAndSignatures()
    {
        using OffGridCli dave = await _lan.ClientAsync();
        string publisherKey = Path.Combine(dave.Home, "acme.pub");
        await File.WriteAllTextAsync(publisherKey, _lan.Publisher.ToString(), TestContext.Current.CancellationToken);
        (await dave.RunAsync("package", "key", "trust", publisherKey)).AssertSuccess();

        CliResult listing = await dave.RunAsync("peers", "alice", "--json");

        listing.AssertSuccess();
        using JsonDocument models = JsonDocument.Parse(listing.Stdout);
        Dictionary<string, JsonElement> byName = models.RootElement.EnumerateArray().ToDictionary(m => m.GetProperty("name").GetString()!);
        Assert.Equal([LanFixture.Signed, LanFixture.Big, LanFixture.Small], byName.Keys.Order(StringComparer.Ordinal));
        JsonElement big = byName[LanFixture.Big];
        Assert.Equal(_lan.BigModel.SizeBytes, big.GetProperty("size_bytes").GetInt64());
        Assert.Equal(_lan.BigModel.Files[0].Sha256, big.GetProperty("files")[0].GetProperty("sha256").GetString());
        Assert.Equal("unsigned", big.GetProperty("signature").GetProperty("status").GetString());
        JsonElement signature = byName[LanFixture.Signed].GetProperty("signature");
        Assert.Equal("trusted", signature.GetProperty("status").GetString());
        Assert.Equal("Acme IT", signature.GetProperty("publisher").GetString());

        CliResult table = await dave.RunAsync("peers", "alice");
        table.AssertSuccess();
        Assert.Contains("signed by Acme IT (trusted)", table.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AModelPulledFromAPeerRuns()
    {
        using OffGridCli dave = await _lan.ClientAsync();

        CliResult pull = await dave.RunAsync("pull", $"peer:alice/{LanFixture.Small}");
        CliResult run = await dave.RunAsync("run", LanFixture.Small, "Once upon a time", "--threads", "1", "--temperature", "0", "-n", "20");

        pull.AssertSuccess();
        Assert.Contains("From alice", pull.Stderr, StringComparison.Ordinal);
        run.AssertSuccess();
        Assert.Contains("Lily", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABigModelComesFromBothPeersAtOnce()
    {
        using OffGridCli dave = await _lan.ClientAsync();
        string aliceLog = _lan.ServerLog("a");
        string bobLog = _lan.ServerLog("b");

        CliResult pull = await dave.RunAsync("pull", $"peer:*/{LanFixture.Big}", "--json");

        pull.AssertSuccess();
        Assert.Matches(@"From (alice|bob) \([\d.]+ MB\), (alice|bob) \([\d.]+ MB\)", pull.Stderr);
        Assert.Contains($"Serving {_lan.BigModel.Files[0].Sha256} (bytes=", _lan.ServerLog("a")[aliceLog.Length..], StringComparison.Ordinal);
        Assert.Contains($"Serving {_lan.BigModel.Files[0].Sha256} (bytes=", _lan.ServerLog("b")[bobLog.Length..], StringComparison.Ordinal);
        await AssertStoredIntactAsync(dave);
    }

    [Fact]
    public async Task WhenAPeerIsKilledMidTransferTheOtherPeerFinishes()
    {
        using OffGridCli dave = await _lan.ClientAsync();
        await _lan.Lan.LimitAsync("a", "40mbit");
        await _lan.Lan.LimitAsync("b", "40mbit");
        try
        {
            using CliProcess pull = await dave.StartAsync("pull", $"peer:alice,bob/{LanFixture.Big}");
            await WaitForProgressAsync(dave, pull, 0.15);
            await _lan.KillServerAsync("a");

            CliResult result = await pull.WaitAsync();

            result.AssertSuccess();
            await AssertStoredIntactAsync(dave);
        }
        finally
        {
            await _lan.Lan.UnlimitAsync("a");
            await _lan.Lan.UnlimitAsync("b");
            await _lan.StartServerAsync("a");
        }
    }

    [Fact]
    public async Task WhenEveryPeerIsGoneTheNextPullResumes()
    {
        using OffGridCli dave = await _lan.ClientAsync();
        await _lan.Lan.LimitAsync("b", "40mbit");
        try
        {
            using CliProcess pull = await dave.StartAsync("pull", $"peer:{_lan.Lan.Addresses["b"]}:11612/{LanFixture.Big}");
            await WaitForProgressAsync(dave, pull, 0.2);
            await _lan.KillServerAsync("b");
            CliResult failed = await pull.WaitAsync();
            Assert.NotEqual(0, failed.ExitCode);
            Assert.StartsWith("offgrid: ", failed.ErrorLines[^1], StringComparison.Ordinal);
            Assert.True(Directory.EnumerateFiles(Path.Combine(dave.Home, "models", ".staging"), "*.partial", SearchOption.AllDirectories).Any(), "the received bytes are kept");

            await _lan.Lan.UnlimitAsync("b");
            await _lan.StartServerAsync("b");
            CliResult resumed = await dave.RunAsync("pull", $"peer:bob/{LanFixture.Big}");

            resumed.AssertSuccess();
            Assert.Matches(@"bytes=[1-9]\d*-", _lan.ServerLog("b")); // the restarted bob was asked only for the rest
            await AssertStoredIntactAsync(dave);
        }
        finally
        {
            await _lan.Lan.UnlimitAsync("b").ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    [Fact]
    public async Task ATamperedFileIsRejectedAndNothingIsStored()
    {
        using OffGridCli dave = await _lan.ClientAsync();

        CliResult pull = await dave.RunAsync("pull", $"peer:bob/{LanFixture.Tampered}");

        Assert.Equal(1, pull.ExitCode);
        Assert.StartsWith("offgrid: The download is corrupt and was discarded", pull.ErrorLines[^1], StringComparison.Ordinal);
        CliResult list = await dave.RunAsync("list", "--json");
        Assert.Equal("[]", list.Stdout.Trim());
    }

    /// <summary>Waits until the chunk plan of the running download shows at least <paramref name="fraction"/> of the bytes.</summary>
    private static async Task WaitForProgressAsync(OffGridCli client, CliProcess pull, double fraction)
    {
        string staging = Path.Combine(client.Home, "models", ".staging");
        for (int i = 0; i < 600; i++)
        {
            Assert.False(pull.HasExited, "the pull ended before it could be interrupted: " + pull.Stderr);
            foreach (string plan in Directory.Exists(staging) ? Directory.EnumerateFiles(staging, "*.partial.chunks", SearchOption.AllDirectories) : [])
            {
                try
                {
                    using JsonDocument doc = JsonDocument.Parse(await File.ReadAllTextAsync(plan, TestContext.Current.CancellationToken));
                    long total = doc.RootElement.GetProperty("total").GetInt64();
                    long done = doc.RootElement.GetProperty("chunks").EnumerateArray().Sum(c => c.GetProperty("done").GetInt64());
                    if (done >= total * fraction)
                    {
                        return;
                    }
                }
                catch (Exception ex) when (ex is JsonException or IOException)
                {
                    // the plan is being replaced
                }
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        Assert.Fail("the download made no progress");
    }

    private async Task AssertStoredIntactAsync(OffGridCli client)
    {
        CliResult list = await client.RunAsync("list", "--json");
        list.AssertSuccess();
        using JsonDocument models = JsonDocument.Parse(list.Stdout);
        JsonElement model = Assert.Single(models.RootElement.EnumerateArray(), m => m.GetProperty("name").GetString() == LanFixture.Big);
        string path = model.GetProperty("path").GetString()!;
        Assert.Equal(_lan.BigModel.Files[0].Sha256, LoopbackSha256(path));
    }

    private static string LoopbackSha256(string path)
    {
        using FileStream stream = File.OpenRead(path);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream));
    }
}
