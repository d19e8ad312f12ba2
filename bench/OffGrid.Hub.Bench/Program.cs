using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using OffGrid.Hub.Downloads;
using OffGrid.Testing.HuggingFace;

// Download throughput on loopback: FileDownloader (one stream, parallel ranged chunks) against curl, all fetching
// the same file from the same in-process server. Usage: OffGrid.Hub.Bench [sizeMiB=1024] [runs=3] [resultsFile]
int sizeMiB = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1024;
int runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
string? resultsFile = args.Length > 2 ? args[2] : null;
long size = (long)sizeMiB << 20;

string work = Path.Combine(Path.GetTempPath(), "offgrid-hub-bench-" + Guid.NewGuid().ToString("N"));
Directory.CreateDirectory(work);
try
{
    string source = Path.Combine(work, "source.bin");
    WriteRandomFile(source, size);
    await using LoopbackHubServer server = LoopbackHubServer.Start();
    Uri uri = server.AddFile("source.bin", source);
    const int PacedMiB = 128;
    string pacedSource = Path.Combine(work, "paced.bin");
    WriteRandomFile(pacedSource, (long)PacedMiB << 20);
    Uri pacedUri = server.AddFile("paced.bin", pacedSource);
    string destination = Path.Combine(work, "download.bin");
    using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };

    async Task<double> OffGridAsync(Uri uri, long size, int connections, bool sha256)
    {
        var downloader = new FileDownloader(http, new DownloaderOptions { MaxConnections = connections, MinChunkSize = 16L << 20, ComputeSha256 = sha256 });
        var clock = Stopwatch.StartNew();
        DownloadResult result = await downloader.DownloadAsync(new DownloadRequest { Source = uri, DestinationPath = destination });
        double seconds = clock.Elapsed.TotalSeconds;
        Check(result.Length == size, "size");
        File.Delete(destination);
        return seconds;
    }

    async Task<double> CurlAsync(Uri uri, long size)
    {
        var clock = Stopwatch.StartNew();
        using var curl = Process.Start(new ProcessStartInfo("curl", ["-s", "-f", "-o", destination, uri.ToString()]) { UseShellExecute = false })!;
        await curl.WaitForExitAsync();
        double seconds = clock.Elapsed.TotalSeconds;
        Check(curl.ExitCode == 0 && new FileInfo(destination).Length == size, "curl");
        File.Delete(destination);
        return seconds;
    }

    async Task<List<(string Name, double Seconds)>> MeasureAsync(Uri uri, long size, bool withHashing)
    {
        var cases = new List<(string Name, Func<Task<double>> Run)>
        {
            ("curl (one stream)", () => CurlAsync(uri, size)),
            ("FileDownloader, 1 connection", () => OffGridAsync(uri, size, 1, sha256: false)),
            ("FileDownloader, 4 connections", () => OffGridAsync(uri, size, 4, sha256: false)),
        };
        if (withHashing)
        {
            cases.Add(("FileDownloader, 1 connection + SHA-256", () => OffGridAsync(uri, size, 1, sha256: true)));
            cases.Add(("FileDownloader, 4 connections + SHA-256", () => OffGridAsync(uri, size, 4, sha256: true)));
        }

        var medians = new List<(string Name, double Seconds)>();
        foreach ((string name, Func<Task<double>> run) in cases)
        {
            var times = new List<double>();
            for (int i = 0; i < runs; i++)
            {
                times.Add(await run());
            }

            medians.Add((name, times.Order().ElementAt(times.Count / 2)));
        }

        return medians;
    }

    void AppendTable(StringBuilder table, string title, int sizeMiB, List<(string Name, double Seconds)> medians)
    {
        double curl = medians[0].Seconds;
        table.AppendLine(title).AppendLine();
        table.AppendLine("| Client | Seconds | MiB/s | vs curl |");
        table.AppendLine("|---|---:|---:|---:|");
        foreach ((string name, double seconds) in medians)
        {
            table.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {seconds:0.00} | {sizeMiB / seconds:0} | {curl / seconds:0.00}x |");
        }

        table.AppendLine();
    }

    await OffGridAsync(uri, size, 1, false); // warm up the JIT and the page cache
    var table = new StringBuilder();
    table.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}; date {DateTime.UtcNow:yyyy-MM-dd}. ");
    table.AppendLine(CultureInfo.InvariantCulture, $"Server: the in-process loopback test server (HttpListener) on 127.0.0.1, sharing the cores with the client; median of {runs} runs.").AppendLine();
    AppendTable(table, $"Unlimited loopback, {sizeMiB} MiB file:", sizeMiB, await MeasureAsync(uri, size, withHashing: true));

    // A server that paces each connection (as CDNs often do) is where parallel ranged chunks pay off.
    server.WriteDelay = TimeSpan.FromMilliseconds(1);
    AppendTable(table, $"Each connection paced by the server (64 KiB, then a ~1 ms pause: a per-connection cap), {PacedMiB} MiB file:", PacedMiB, await MeasureAsync(pacedUri, (long)PacedMiB << 20, withHashing: false));
    server.WriteDelay = TimeSpan.Zero;

    Console.WriteLine(table);
    if (resultsFile is not null)
    {
        WriteSection(resultsFile, "## OffGrid.Hub", table.ToString());
    }
}
finally
{
    Directory.Delete(work, recursive: true);
}

static void WriteRandomFile(string path, long size)
{
    var random = new Random(42);
    byte[] buffer = new byte[4 << 20];
    using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
    for (long written = 0; written < size; written += buffer.Length)
    {
        random.NextBytes(buffer);
        file.Write(buffer, 0, (int)Math.Min(buffer.Length, size - written));
    }
}

static void Check(bool condition, string what)
{
    if (!condition)
    {
        throw new InvalidOperationException("Benchmark check failed: " + what);
    }
}

// Replaces (or appends) one "## " section of a Markdown file, keeping the other sections intact.
static void WriteSection(string path, string heading, string body)
{
    string text = File.Exists(path) ? File.ReadAllText(path) : "# Benchmark results\n";
    string section = heading + "\n\n" + body.TrimEnd() + "\n";
    int start = text.IndexOf(heading + "\n", StringComparison.Ordinal);
    if (start < 0)
    {
        text = text.TrimEnd() + "\n\n" + section;
    }
    else
    {
        int next = text.IndexOf("\n## ", start + heading.Length, StringComparison.Ordinal);
        text = text[..start] + section + (next < 0 ? string.Empty : text[next..]);
    }

    File.WriteAllText(path, text);
}
