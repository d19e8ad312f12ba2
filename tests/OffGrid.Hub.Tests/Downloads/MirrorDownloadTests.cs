using System.Security.Cryptography;
using OffGrid.Hub.Downloads;
using OffGrid.Testing;
using OffGrid.Testing.HuggingFace;

namespace OffGrid.Hub.Tests.Downloads;

/// <summary>One file served by several loopback servers at once: ranges are spread over them, and a server that fails hands its ranges to the others.</summary>
public sealed class MirrorDownloadTests : IAsyncLifetime
{
    private readonly string _dir = TestPaths.NewTempDir("mirrors");
    private readonly HttpClient _http = new();
    private readonly byte[] _content = RandomBytes(2_000_000, seed: 11);
    private LoopbackHubServer _first = null!;
    private LoopbackHubServer _second = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Destination => Path.Combine(_dir, "model.gguf");

    public ValueTask InitializeAsync()
    {
        _first = LoopbackHubServer.Start();
        _second = LoopbackHubServer.Start();
        _first.AddFile("model.gguf", _content);
        _second.AddFile("model.gguf", _content);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _first.DisposeAsync();
        await _second.DisposeAsync();
        _http.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task RangesAreSpreadOverEveryMirror()
    {
        var downloader = new FileDownloader(_http, Options());

        DownloadResult result = await downloader.DownloadAsync(Request(), cancellationToken: Ct);

        Assert.Equal(_content, await File.ReadAllBytesAsync(Destination, Ct));
        Assert.Equal(2, result.BytesBySource.Count);
        Assert.All(result.BytesBySource.Values, bytes => Assert.True(bytes >= 500_000, $"{bytes} bytes from one mirror"));
        Assert.Equal(_content.Length, result.BytesBySource.Values.Sum());
        Assert.Contains(_second.Requests, r => r.StartsWith("GET /files/model.gguf", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AMirrorThatDropsOutIsFinishedByTheOther()
    {
        _first.DropAfterBytes = 100_000;
        _first.DropConnections = int.MaxValue; // the first server breaks every transfer, as a machine switched off would
        var downloader = new FileDownloader(_http, Options());

        DownloadResult result = await downloader.DownloadAsync(Request(), cancellationToken: Ct);

        Assert.Equal(_content, await File.ReadAllBytesAsync(Destination, Ct));
        Assert.Equal(Sha256(_content), result.Sha256);
        Assert.True(result.BytesBySource[MirrorUri(_second)] > _content.Length / 2, "the remaining ranges came from the second server");
    }

    [Fact]
    public async Task AMirrorThatRefusesIsSkipped()
    {
        _first.Override = _ => (404, null);
        var downloader = new FileDownloader(_http, Options());

        DownloadResult result = await downloader.DownloadAsync(Request(), cancellationToken: Ct);

        Assert.Equal(_content, await File.ReadAllBytesAsync(Destination, Ct));
        Assert.Equal(_content.Length, result.BytesBySource[MirrorUri(_second)]);
    }

    [Fact]
    public async Task WhenEveryMirrorIsGoneThePartialFileWaitsForALaterResume()
    {
        _first.DropAfterBytes = 300_000;
        _first.DropConnections = int.MaxValue;
        _second.DropAfterBytes = 300_000;
        _second.DropConnections = int.MaxValue;
        DownloaderOptions options = Options();
        options.MaxRetries = 1;
        var downloader = new FileDownloader(_http, options);

        await Assert.ThrowsAnyAsync<IOException>(() => downloader.DownloadAsync(Request(), cancellationToken: Ct));
        Assert.True(File.Exists(Destination + ".partial"));
        Assert.False(File.Exists(Destination));

        _first.DropConnections = 0;
        _second.DropConnections = 0;
        DownloadResult result = await downloader.DownloadAsync(Request(), cancellationToken: Ct);

        Assert.True(result.Resumed);
        Assert.True(result.BytesTransferred < _content.Length, $"{result.BytesTransferred} bytes transferred again");
        Assert.Equal(_content, await File.ReadAllBytesAsync(Destination, Ct));
    }

    [Fact]
    public async Task AMirrorServingAnotherVersionIsDroppedByItsValidator()
    {
        _second.AddFile("model.gguf", RandomBytes(_content.Length, seed: 12)); // another ETag: If-Range gets the whole other file back
        var downloader = new FileDownloader(_http, Options());

        DownloadResult result = await downloader.DownloadAsync(Request(ContentHash.Sha256(Sha256(_content))), cancellationToken: Ct);

        Assert.Equal(_content, await File.ReadAllBytesAsync(Destination, Ct));
        Assert.Equal(_content.Length, result.BytesBySource[MirrorUri(_first)]);
    }

    private static Uri MirrorUri(LoopbackHubServer server) => new(server.BaseUri, "files/model.gguf");

    private DownloadRequest Request(ContentHash? hash = null) => new()
    {
        Source = MirrorUri(_first),
        Mirrors = [MirrorUri(_second)],
        DestinationPath = Destination,
        ExpectedHash = hash,
    };

    private static DownloaderOptions Options() => new()
    {
        MaxConnections = 2,
        MinChunkSize = 256 << 10,
        RetryDelay = TimeSpan.FromMilliseconds(10),
        BufferSize = 64 << 10,
        DiskSpaceReserve = 0,
        ProgressInterval = TimeSpan.Zero,
    };

    private static byte[] RandomBytes(int length, int seed)
    {
        byte[] bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
