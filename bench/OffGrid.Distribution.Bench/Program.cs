using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection;
using OffGrid.Distribution.Peers;
using OffGrid.Hub;
using OffGrid.Hub.Store;
using OffGrid.Testing.Models;
using OffGrid.Testing.Network;

// Peer download throughput against curl on the same link: two offgrid peers ("share serve") in their own network
// namespaces, a client in a third, joined by veth pairs to a bridge. Each case downloads the same model file: curl
// from one peer (the anchor: one HTTP stream to a file, nothing verified), OffGrid from one peer and from two at once
// (ranges split across peers, SHA-256 checked, then published into the model store). The link is measured unshaped
// (veth: CPU-bound) and shaped to 1 Gbit/s per peer (tc tbf on each peer's egress, like a gigabit LAN).
// Needs root. Usage: OffGrid.Distribution.Bench [sizeMiB=512] [runs=3]
if (args is ["client", ..])
{
    return await ClientAsync(args[1..]);
}

int sizeMiB = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 512;
int runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
if (IsolatedLan.UnavailableReason() is { } reason)
{
    Console.Error.WriteLine($"OffGrid.Distribution.Bench: {reason}.");
    return 1;
}

string cli = typeof(Program).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "OffGridCliAssembly").Value!;
string work = Path.Combine(Path.GetTempPath(), "offgrid-distribution-bench-" + Guid.NewGuid().ToString("N"));
var servers = new List<Process>();
await using IsolatedLan lan = await IsolatedLan.CreateAsync("a", "b", "d");
try
{
    string model = TransferModels.Get(sizeMiB);
    long size = new FileInfo(model).Length;
    NetworkSecret secret = NetworkSecret.Generate();
    string secretFile = Path.Combine(work, "network.secret");
    Directory.CreateDirectory(work);
    await File.WriteAllTextAsync(secretFile, secret.Reveal());
    string sha256 = string.Empty;
    foreach (string host in new[] { "a", "b" })
    {
        string home = Path.Combine(work, host);
        using ServiceProvider services = Services(home);
        await services.GetRequiredService<PeerSettingsStore>().SaveSecretAsync(secret);
        await services.GetRequiredService<PeerSettingsStore>().UpdateAsync(s => s with { Sharing = true, Name = host });
        sha256 = (await services.GetRequiredService<ModelStore>().ImportAsync(model, "bench/transfer", copy: true)).Files[0].Sha256;
        servers.Add(await StartServerAsync(lan, host, home, cli));
    }

    string a = $"{lan.Addresses["a"]}:{OffGrid.Distribution.DistributionOptions.DefaultPeerPort}";
    string b = $"{lan.Addresses["b"]}:{OffGrid.Distribution.DistributionOptions.DefaultPeerPort}";
    var rows = new List<(string Link, string Client, double Seconds)>();
    foreach ((string link, string? rate) in new[] { ("veth, unshaped", (string?)null), ("1 Gbit/s per peer", "1gbit") })
    {
        foreach (string host in new[] { "a", "b" })
        {
            if (rate is not null)
            {
                await lan.LimitAsync(host, rate);
            }
        }

        rows.Add((link, "curl, 1 peer (to a file, no check)", Median(await RepeatAsync(runs, () => CurlAsync(lan, secret, a, sha256, size, work)))));
        rows.Add((link, "offgrid, 1 peer (SHA-256, into the store)", Median(await RepeatAsync(runs, () => OffGridAsync(lan, secretFile, [a], size, work)))));
        rows.Add((link, "offgrid, 2 peers (SHA-256, into the store)", Median(await RepeatAsync(runs, () => OffGridAsync(lan, secretFile, [a, b], size, work)))));
        foreach (string host in new[] { "a", "b" })
        {
            if (rate is not null)
            {
                await lan.UnlimitAsync(host);
            }
        }
    }

    Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}; {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; load: {Uptime()}");
    Console.WriteLine($"File: {size / (1 << 20)} MiB GGUF; median of {runs} runs; every process on the same 2 cores.");
    Console.WriteLine();
    Console.WriteLine("| Link | Client | Seconds | MiB/s | vs curl |");
    Console.WriteLine("|---|---|---:|---:|---:|");
    foreach (var group in rows.GroupBy(r => r.Link))
    {
        double curl = group.First().Seconds;
        foreach ((string link, string client, double seconds) in group)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {link} | {client} | {seconds:0.00} | {size / (1 << 20) / seconds:0} | {curl / seconds:0.00}x |"));
        }
    }

    return 0;
}
finally
{
    foreach (Process server in servers)
    {
        server.Kill(entireProcessTree: true);
        server.Dispose();
    }

    if (Directory.Exists(work))
    {
        Directory.Delete(work, recursive: true);
    }
}

static ServiceProvider Services(string home) =>
    new ServiceCollection().AddOffGridHub(o => o.HomeDirectory = home).AddOffGridDistribution().BuildServiceProvider();

static async Task<Process> StartServerAsync(IsolatedLan lan, string host, string home, string cli)
{
    var start = new ProcessStartInfo("ip", ["netns", "exec", lan.Namespace(host), "dotnet", cli, "share", "serve"])
    {
        RedirectStandardError = true,
        RedirectStandardOutput = true,
        UseShellExecute = false,
    };
    start.Environment["OFFGRID_HOME"] = home;
    var process = Process.Start(start)!;
    process.OutputDataReceived += (_, _) => { };
    process.BeginOutputReadLine();
    while (await process.StandardError.ReadLineAsync() is { } line)
    {
        if (line.Contains("Ctrl+C stops", StringComparison.Ordinal))
        {
            return process;
        }
    }

    throw new InvalidOperationException($"The peer on {host} did not start.");
}

static async Task<double> CurlAsync(IsolatedLan lan, NetworkSecret secret, string peer, string sha256, long size, string work)
{
    string path = $"/peer/v1/files/{sha256}";
    (string header, _) = PeerAuthentication.Sign(secret, "GET", path, DateTimeOffset.UtcNow);
    string target = Path.Combine(work, "curl.bin");
    string output = await lan.RunInAsync("d", "curl", "-s", "-f", "-o", target, "-w", "%{time_total}", "-H", "Authorization: " + header, $"http://{peer}{path}");
    Check(new FileInfo(target).Length == size, "curl downloaded the whole file");
    File.Delete(target);
    return double.Parse(output, CultureInfo.InvariantCulture);
}

static async Task<double> OffGridAsync(IsolatedLan lan, string secretFile, string[] peers, long size, string work)
{
    string home = Path.Combine(work, "client-" + Guid.NewGuid().ToString("N"));
    string self = typeof(Program).Assembly.Location;
    string output = await lan.RunInAsync("d", "dotnet", self, "client", home, secretFile, string.Join(',', peers));
    string[] parts = output.Trim().Split(' ');
    Check(long.Parse(parts[1], CultureInfo.InvariantCulture) == size, "offgrid stored the whole file");
    Directory.Delete(home, recursive: true);
    return double.Parse(parts[0], CultureInfo.InvariantCulture);
}

// Runs inside the client's namespace: times one download from the peers into a fresh store.
static async Task<int> ClientAsync(string[] args)
{
    (string home, string secretFile, string peers) = (args[0], args[1], args[2]);
    using ServiceProvider services = Services(home);
    await services.GetRequiredService<PeerSettingsStore>().SaveSecretAsync(NetworkSecret.Parse(await File.ReadAllTextAsync(secretFile)));
    PeerNetwork network = services.GetRequiredService<PeerNetwork>();
    IReadOnlyList<PeerInfo> resolved = await network.ResolveAsync(peers);
    var clock = Stopwatch.StartNew();
    PeerDownloadResult result = await network.DownloadAsync("bench/transfer", resolved);
    double seconds = clock.Elapsed.TotalSeconds;
    Check(result.BytesByPeer.Count == resolved.Count, "every peer delivered bytes");
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{seconds:0.000} {result.Model.SizeBytes}"));
    return 0;
}

static async Task<List<double>> RepeatAsync(int runs, Func<Task<double>> run)
{
    var results = new List<double>();
    for (int i = 0; i < runs; i++)
    {
        results.Add(await run());
    }

    return results;
}

static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

static string Uptime() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

static void Check(bool condition, string what)
{
    if (!condition)
    {
        throw new InvalidOperationException("Check failed: " + what);
    }
}
