using System.Net.Sockets;
using System.Text.Json;
using OffGrid.Testing;

namespace OffGrid.Cli.Tests.Commands;

/// <summary><c>offgrid share</c>, <c>offgrid peers</c> and <c>offgrid pull peer:</c> through the real process on loopback (the LAN tests are in OffGrid.Distribution.Tests).</summary>
public sealed class ShareCommandTests : IDisposable
{
    private readonly OffGridCli _alice = new();
    private readonly OffGridCli _dave = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SharingNeedsASecretAndReportsItsState()
    {
        Assert.Contains("--generate-secret", (await _alice.RunAsync("share", "on")).AssertOneLineFailure(), StringComparison.Ordinal);
        Assert.Contains("Sharing is off", (await _alice.RunAsync("share", "serve")).AssertOneLineFailure(), StringComparison.Ordinal);

        CliResult on = await _alice.RunAsync("share", "on", "--generate-secret", "--name", "alice", "--port", "11700");
        on.AssertSuccess();
        string secret = on.Stdout.Trim().Split('\n')[^1];
        Assert.StartsWith("ogn1-", secret, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_alice.Home, "p2p.secret")));
        }


        CliResult status = await _alice.RunAsync("share", "status", "--json");
        using JsonDocument state = JsonDocument.Parse(status.Stdout);
        Assert.True(state.RootElement.GetProperty("sharing").GetBoolean());
        Assert.True(state.RootElement.GetProperty("has_secret").GetBoolean());
        Assert.Equal("alice", state.RootElement.GetProperty("name").GetString());
        Assert.Equal(11700, state.RootElement.GetProperty("port").GetInt32());
        Assert.DoesNotContain(secret, status.Stdout, StringComparison.Ordinal);

        (await _alice.RunAsync("share", "off")).AssertSuccess();
        Assert.Contains("Sharing: off", (await _alice.RunAsync("share", "status")).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APeerOnTheManualListSharesAModelThatIsPulledAndRuns()
    {
        int port = FreePort();
        string secretFile = Path.Combine(_dave.Home, "network.secret");
        CliResult on = await _alice.RunAsync("share", "on", "--generate-secret", "--name", "alice", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(_dave.Home);
        await File.WriteAllTextAsync(secretFile, on.Stdout.Trim().Split('\n')[^1], Ct);
        (await _alice.RunAsync("pull", TestPaths.Stories260K)).AssertSuccess();
        using CliProcess server = await _alice.StartAsync("share", "serve", "--host", "127.0.0.1");
        await server.WaitForErrorAsync(e => e.Contains("Ctrl+C stops", StringComparison.Ordinal));

        (await _dave.RunAsync("share", "off", "--secret-file", secretFile)).AssertSuccess();
        (await _dave.RunAsync("peers", "add", $"127.0.0.1:{port}")).AssertSuccess();
        (await _dave.RunAsync("peers", "add", "127.0.0.1:9")).AssertSuccess();
        CliResult peers = await _dave.RunAsync("peers", "--json");
        CliResult models = await _dave.RunAsync("peers", "alice");
        CliResult pull = await _dave.RunAsync("pull", "peer:alice/local/stories260K");
        CliResult run = await _dave.RunAsync("run", "local/stories260K", "Once upon a time", "--threads", "1", "--temperature", "0", "-n", "20");

        peers.AssertSuccess();
        using (JsonDocument found = JsonDocument.Parse(peers.Stdout))
        {
            JsonElement alice = Assert.Single(found.RootElement.EnumerateArray());
            Assert.Equal("alice", alice.GetProperty("name").GetString());
            Assert.Equal("manual", alice.GetProperty("discovery").GetString());
        }

        Assert.Contains("127.0.0.1:9", peers.Stderr, StringComparison.Ordinal); // the manual peer that does not answer
        models.AssertSuccess();
        Assert.Contains("local/stories260K", models.Stdout, StringComparison.Ordinal);
        pull.AssertSuccess();
        Assert.Contains("From alice", pull.Stderr, StringComparison.Ordinal);
        run.AssertSuccess();
        Assert.Contains("Lily", run.Stdout, StringComparison.Ordinal);

        (await _dave.RunAsync("peers", "remove", "127.0.0.1:9")).AssertSuccess();
        Assert.Contains("not on the manual peer list", (await _dave.RunAsync("peers", "remove", "127.0.0.1:9")).AssertOneLineFailure(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PeerCommandsWithoutASecretOrWithBadInputFailClearly()
    {
        Assert.Contains("No network secret", (await _dave.RunAsync("peers")).AssertOneLineFailure(), StringComparison.Ordinal);
        Assert.Contains("No network secret", (await _dave.RunAsync("pull", "peer:alice/m")).AssertOneLineFailure(), StringComparison.Ordinal);
        Assert.Contains("not a host:port", (await _dave.RunAsync("peers", "add", "lab-2")).AssertOneLineFailure(expectedExitCode: 2), StringComparison.Ordinal);
        Assert.Contains("at least 16 characters", (await _dave.RunWithInputAsync("short\n", "share", "off", "--secret-file", "-")).AssertOneLineFailure(expectedExitCode: 2), StringComparison.Ordinal);
        foreach (string incomplete in new[] { "peer:", "peer:/m", "peer:alice/" })
        {
            Assert.Contains("needs a peer and a model", (await _dave.RunAsync("pull", incomplete)).AssertOneLineFailure(expectedExitCode: 2), StringComparison.Ordinal);
        }

        Assert.Contains("--quant does not apply", (await _dave.RunAsync("pull", "peer:alice/m", "--quant", "Q4_K_M")).AssertOneLineFailure(expectedExitCode: 2), StringComparison.Ordinal);
        Assert.Contains("printable text", (await _dave.RunAsync("share", "on", "--generate-secret", "--name", "")).AssertOneLineFailure(expectedExitCode: 2), StringComparison.Ordinal);
        Assert.Contains("cannot be used together", (await _dave.RunAsync("share", "on", "--generate-secret", "--secret-file", "x")).AssertOneLineFailure(expectedExitCode: 2), StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _alice.Dispose();
        _dave.Dispose();
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(System.Net.IPAddress.Loopback, 0);
        socket.Start();
        return ((System.Net.IPEndPoint)socket.LocalEndpoint).Port;
    }
}
