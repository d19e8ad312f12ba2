using System.Net;
using System.Security.Cryptography;
using OffGrid.Hub.Downloads;
using OffGrid.Testing;
using OffGrid.Testing.HuggingFace;

namespace OffGrid.Hub.Tests.Downloads;

public sealed class FileDownloaderTests : IAsyncLifetime
{
    private readonly string _dir = TestPaths.NewTempDir("download");
    private readonly HttpClient _http = new();
    private readonly byte[] _content = RandomBytes(1_500_000, seed: 7);
    private LoopbackHubServer _server = null!;
    private Uri _source = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Destination => Path.Combine(_dir, "sub", "model.gguf");

    public ValueTask InitializeAsync()
    {
        _server = LoopbackHubServer.Start();
        _source = _server.AddFile("model.gguf", _content);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _http.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task DownloadsAndVerifiesSingleStream()
    {
        var reports = new List<DownloadProgress>();
        var downloader = new FileDownloader(_http, Options(connections: 1));

        DownloadResult result = await downloader.DownloadAsync(Request(), new CallbackProgress<DownloadProgress>(reports.Add), Ct);

        Assert.Equal(_content, await File.ReadAllBytesAsync(Destination, Ct));
        Assert.Equal(Sha256(_content), result.Sha256);
        Assert.Equal(_content.Length, result.Length);
        Assert.Equal(_content.Length, result.BytesTransferred);
        Assert.Equal(1, result.Connections);
        Assert.False(File.Exists(Destination + ".partial"));
        Assert.Equal(_content.Length, reports[^1].BytesReceived);
        Assert.Equal(_content.Length, reports[^1].TotalBytes);
    }

    [Fact]
    public async Task ParallelChunksGiveByteIdenticalFile()
    {
        var downloader = new FileDownloader(_http, Options(connections: 4, minChunk: 256 << 10));

        DownloadResult result = await downloader.DownloadAsync(Request(), cancellationToken: Ct);

        Assert.Equal(4, result.Connections);
        Assert.Equal(_content, await File.ReadAllBytesAsync(Destination, Ct));
        Assert.Equal(Sha256(_content), result.Sha256);
        Assert.False(File.Exists(Destination + ".partial.chunks"));
        Assert.Contains(_server.Requests, r => r.EndsWith("bytes=375000-749999", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task ResumesAfterServerDropsConnectionMidFile(int connections)
    {
        _server.DropAfterBytes = 200_000;
        _server.DropConnections = 2;
        var downloader = new FileDownloader(_http, Options(connections, minChunk: 256 << 10));

        DownloadResult result = await downloader.DownloadAsync(Request(), cancellationToken: Ct);

        Assert.Equal(_content, await File.ReadAllBytesAsync(Destination, Ct));
        Assert.True(result.Resumed);
        Assert.Equal(connections, result.Connections);
        if (connections == 1)
        {
            Assert.Contains(_server.Requests, r => r.EndsWith("bytes=200000-", StringComparison.Ordinal));
        }
        else
        {
            Assert.True(_server.Requests.Count > 1 + connections, string.Join(", ", _server.Requests)); // the chunks were requested again from where they broke
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task ResumeStartsOverWhenRemoteFileChanged(int connections)
    {
        _server.DropAfterBytes = 200_000;
        _server.DropConnections = 8;
        DownloaderOptions noRetry = Options(connections, minChunk: 256 << 10);
        noRetry.MaxRetries = 0;
        await Assert.ThrowsAnyAsync<IOException>(() => new FileDownloader(_http, noRetry).DownloadAsync(Request(), cancellationToken: Ct));
        Assert.True(File.Exists(Destination + ".partial"));

        byte[] changed = RandomBytes(_content.Length, seed: 8);
        _server.AddFile("model.gguf", changed);
        _server.DropConnections = 0;
        DownloadResult result = await new FileDownloader(_http, Options(connections, minChunk: 256 << 10)).DownloadAsync(Request(), cancellationToken: Ct);

        Assert.Equal(changed, await File.ReadAllBytesAsync(Destination, Ct));
        Assert.Equal(Sha256(changed), result.Sha256);
        Assert.Contains(_server.Requests, r => r.Contains("bytes=", StringComparison.Ordinal) && !r.EndsWith("bytes=0-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FallsBackToWholeFileWhenServerIgnoresRanges()
    {
        _server.SupportRanges = false;
        Directory.CreateDirectory(Path.GetDirectoryName(Destination)!);
        await File.WriteAllBytesAsync(Destination + ".partial", RandomBytes(5000, seed: 99), Ct); // stale bytes that must not survive
        var downloader = new FileDownloader(_http, Options(connections: 4, minChunk: 1024));

        DownloadResult result = await downloader.DownloadAsync(Request(), cancellationToken: Ct);

        Assert.Equal(1, result.Connections);
        Assert.Equal(_content, await File.ReadAllBytesAsync(Destination, Ct));
    }

    [Fact]
    public async Task ChecksumMismatchDeletesPartialAndThrows()
    {
        var downloader = new FileDownloader(_http, Options(connections: 1));
        DownloadRequest request = Request(ContentHash.Sha256(new string('a', 64)));

        var ex = await Assert.ThrowsAsync<DownloadIntegrityException>(() => downloader.DownloadAsync(request, cancellationToken: Ct));

        Assert.Contains("sha256", ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Destination));
        Assert.False(File.Exists(Destination + ".partial"));
    }

    [Fact]
    public async Task VerifiesSha512IntegrityFromNpmStyleString()
    {
        string integrity = "sha512-" + Convert.ToBase64String(SHA512.HashData(_content));
        var downloader = new FileDownloader(_http, Options(connections: 4, minChunk: 256 << 10));

        DownloadResult result = await downloader.DownloadAsync(Request(ContentHash.FromIntegrity(integrity)), cancellationToken: Ct);

        Assert.Equal(Sha256(_content), result.Sha256);
    }

    [Fact]
    public async Task SizeMismatchIsReportedBeforeDownloading()
    {
        var downloader = new FileDownloader(_http, Options(connections: 1));
        var request = new DownloadRequest { Source = _source, DestinationPath = Destination, ExpectedSize = 10 };

        await Assert.ThrowsAsync<DownloadIntegrityException>(() => downloader.DownloadAsync(request, cancellationToken: Ct));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task CancellationKeepsPartialAndNextCallResumes(int connections)
    {
        _server.WriteDelay = TimeSpan.FromMilliseconds(20);
        var downloader = new FileDownloader(_http, Options(connections, minChunk: 256 << 10));
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var progress = new CallbackProgress<DownloadProgress>(p =>
        {
            if (p.BytesReceived > 300_000)
            {
                cts.Cancel();
            }
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => downloader.DownloadAsync(Request(), progress, cts.Token));
        await WaitUntilAsync(() => File.Exists(Destination + ".partial") && (connections == 1 || File.Exists(Destination + ".partial.chunks")));
        Assert.False(File.Exists(Destination));

        _server.WriteDelay = TimeSpan.Zero;
        DownloadResult result = await downloader.DownloadAsync(Request(), cancellationToken: Ct);

        Assert.True(result.Resumed);
        Assert.True(result.BytesTransferred < _content.Length, $"{result.BytesTransferred} bytes transferred again");
        Assert.Equal(_content, await File.ReadAllBytesAsync(Destination, Ct));
        Assert.Equal(Sha256(_content), result.Sha256);
    }

    [Fact]
    public async Task ConcurrentRequestsForSameDestinationShareOneDownload()
    {
        _server.WriteDelay = TimeSpan.FromMilliseconds(2);
        var downloader = new FileDownloader(_http, Options(connections: 1));
        var other = new FileDownloader(_http, Options(connections: 1));

        DownloadResult[] results = await Task.WhenAll(
            downloader.DownloadAsync(Request(), cancellationToken: Ct),
            other.DownloadAsync(Request(), cancellationToken: Ct));

        Assert.Same(results[0], results[1]);
        Assert.Single(_server.Requests, r => r.StartsWith("GET /files/model.gguf", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PresentFileWithExpectedHashIsNotDownloadedAgain()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Destination)!);
        await File.WriteAllBytesAsync(Destination, _content, Ct);
        var downloader = new FileDownloader(_http, Options(connections: 1));

        DownloadResult result = await downloader.DownloadAsync(Request(ContentHash.Sha256(Sha256(_content))), cancellationToken: Ct);

        Assert.Equal(0, result.BytesTransferred);
        Assert.Empty(_server.Requests);
    }

    [Theory]
    [InlineData(404)]
    [InlineData(403)]
    public async Task PermanentHttpErrorsFailAtOnce(int status)
    {
        _server.Override = _ => (status, null);
        var downloader = new FileDownloader(_http, Options(connections: 1));

        var ex = await Assert.ThrowsAsync<HubHttpException>(() => downloader.DownloadAsync(Request(), cancellationToken: Ct));

        Assert.Equal((HttpStatusCode)status, ex.StatusCode);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task MissingTokenGives401AndHeaderFixesIt()
    {
        _server.RequiredToken = "secret";
        var downloader = new FileDownloader(_http, Options(connections: 1));

        var ex = await Assert.ThrowsAsync<HubHttpException>(() => downloader.DownloadAsync(Request(), cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.Unauthorized, ex.StatusCode);
        Assert.Contains("401", ex.Message, StringComparison.Ordinal);

        var authorized = new DownloadRequest
        {
            Source = _source,
            DestinationPath = Destination,
            Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer secret" },
        };
        await downloader.DownloadAsync(authorized, cancellationToken: Ct);
        Assert.Equal(_content, await File.ReadAllBytesAsync(Destination, Ct));
    }

    [Fact]
    public async Task RateLimitIsRetriedAfterRetryAfter()
    {
        int limited = 0;
        _server.Override = _ => Interlocked.Increment(ref limited) <= 2 ? (429, "0") : null;
        var downloader = new FileDownloader(_http, Options(connections: 1));

        await downloader.DownloadAsync(Request(), cancellationToken: Ct);

        Assert.Equal(_content, await File.ReadAllBytesAsync(Destination, Ct));
        Assert.Equal(3, _server.Requests.Count);
    }

    [Fact]
    public async Task PersistentRateLimitSurfacesRetryAfter()
    {
        _server.Override = _ => (429, "3600");
        var downloader = new FileDownloader(_http, Options(connections: 1));

        var ex = await Assert.ThrowsAsync<HubHttpException>(() => downloader.DownloadAsync(Request(), cancellationToken: Ct));

        Assert.Equal(HttpStatusCode.TooManyRequests, ex.StatusCode);
        Assert.Equal(TimeSpan.FromHours(1), ex.RetryAfter);
        Assert.Single(_server.Requests); // an hour is longer than MaxRetryAfter: no waiting
    }

    [Fact]
    public async Task RefusesWhenDiskCannotHoldFile()
    {
        DownloaderOptions options = Options(connections: 1);
        options.DiskSpaceReserve = long.MaxValue / 4;
        var downloader = new FileDownloader(_http, options);

        await Assert.ThrowsAsync<InsufficientDiskSpaceException>(() => downloader.DownloadAsync(Request(), cancellationToken: Ct));
    }

    [Fact]
    public void ParsesIntegrityStrings()
    {
        byte[] digest = SHA256.HashData("x"u8);
        ContentHash hash = ContentHash.FromIntegrity("sha1-" + Convert.ToBase64String(SHA1.HashData("x"u8)) + " sha256-" + Convert.ToBase64String(digest));

        Assert.Equal("sha256", hash.Algorithm);
        Assert.True(hash.Matches(digest));
        Assert.Equal(Convert.ToHexStringLower(digest), hash.Hex);
        Assert.Throws<FormatException>(() => ContentHash.FromIntegrity("md5-abc"));
        Assert.Throws<FormatException>(() => ContentHash.Sha256("abc"));
    }

    private static DownloaderOptions Options(int connections, long minChunk = 1 << 20) => new()
    {
        MaxConnections = connections,
        MinChunkSize = minChunk,
        RetryDelay = TimeSpan.FromMilliseconds(10),
        MaxRetryAfter = TimeSpan.FromSeconds(5),
        BufferSize = 64 << 10,
        DiskSpaceReserve = 0,
        ProgressInterval = TimeSpan.Zero,
    };

    private DownloadRequest Request(ContentHash? hash = null) => new() { Source = _source, DestinationPath = Destination, ExpectedHash = hash };

    private static byte[] RandomBytes(int length, int seed)
    {
        byte[] bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (int i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(25, Ct);
        }

        Assert.True(condition());
    }
}
