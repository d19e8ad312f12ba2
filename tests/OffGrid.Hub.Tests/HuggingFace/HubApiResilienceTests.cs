using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OffGrid.Hub.HuggingFace;
using OffGrid.Testing;
using OffGrid.Testing.Gguf;
using OffGrid.Testing.HuggingFace;

namespace OffGrid.Hub.Tests.HuggingFace;

/// <summary>The retries of Hub API calls made through the client that <c>AddOffGridHub</c> registers, against a loopback Hub.</summary>
public sealed class HubApiResilienceTests : IAsyncLifetime
{
    private const string Repo = "alpha/Alpha-GGUF";

    private readonly LoopbackHubServer _server = LoopbackHubServer.Start();
    private readonly string _home = TestPaths.NewTempDir("hub-retry");
    private ServiceProvider? _provider;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        _server.AddRepo(new LoopbackModelRepo { Id = Repo, Files = { ["alpha-Q8_0.gguf"] = HubFixture.TinyModel(GgufTensorType.Q8_0) } });
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        if (_provider is not null)
        {
            await _provider.DisposeAsync();
        }

        await _server.DisposeAsync();
        Directory.Delete(_home, recursive: true);
    }

    [Fact]
    public async Task A503IsRetriedAndTheCallSucceeds()
    {
        HuggingFaceClient client = Client();
        FailFirst(1, 503);

        IReadOnlyList<HubRepoFile> files = await client.GetFilesAsync(Repo, cancellationToken: Ct);

        Assert.Equal("alpha-Q8_0.gguf", Assert.Single(files).Path);
        Assert.Equal(2, TreeRequests());
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(408)]
    public async Task OtherTransientStatusesAreRetriedForSearchToo(int status)
    {
        HuggingFaceClient client = Client();
        int failures = 0;
        _server.Override = r => r.Url!.AbsolutePath == "/api/models" && Interlocked.Increment(ref failures) <= 2 ? (status, null) : null;

        IReadOnlyList<HubModelSummary> models = await client.SearchModelsAsync(new ModelSearchQuery { GgufOnly = false }, Ct);

        Assert.Equal(Repo, Assert.Single(models).Id);
        Assert.Equal(3, _server.Requests.Count(r => r.StartsWith("GET /api/models?", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A429WaitsAsLongAsRetryAfterAsks()
    {
        HuggingFaceClient client = Client();
        FailFirst(1, 429, retryAfter: "2");
        var clock = Stopwatch.StartNew();

        await client.GetFilesAsync(Repo, cancellationToken: Ct);

        // The backoff alone would have waited about 10 ms.
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1.9), $"retried after {clock.Elapsed.TotalMilliseconds:0} ms");
        Assert.Equal(2, TreeRequests());
    }

    [Fact]
    public async Task ARetryAfterLongerThanAllowedFailsAtOnceAndSaysHowLong()
    {
        HuggingFaceClient client = Client(o => o.MaxRetryAfter = TimeSpan.FromSeconds(5));
        _server.Override = _ => (429, "3600");

        var error = await Assert.ThrowsAsync<HubHttpException>(() => client.GetFilesAsync(Repo, cancellationToken: Ct));

        Assert.Equal(HttpStatusCode.TooManyRequests, error.StatusCode);
        Assert.Equal(TimeSpan.FromHours(1), error.RetryAfter);
        Assert.Equal(1, TreeRequests());
    }

    [Fact]
    public async Task NotFoundAndUnauthorizedAreNotRetried()
    {
        HuggingFaceClient client = Client();

        var missing = await Assert.ThrowsAsync<HubHttpException>(() => client.GetFilesAsync("nobody/nothing", cancellationToken: Ct));
        _server.RequiredToken = "secret";
        var refused = await Assert.ThrowsAsync<HubHttpException>(() => client.GetFilesAsync(Repo, cancellationToken: Ct));

        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(2, TreeRequests());
    }

    [Fact]
    public async Task PersistentFailureGivesUpAfterTheRetriesWithTheLastStatus()
    {
        HuggingFaceClient client = Client(o => o.MaxRetries = 2);
        _server.Override = _ => (503, null);

        var error = await Assert.ThrowsAsync<HubHttpException>(() => client.GetFilesAsync(Repo, cancellationToken: Ct));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.StatusCode);
        Assert.True(error.IsTransient);
        Assert.Equal(3, TreeRequests());
    }

    [Fact]
    public async Task TheWholeCallIsBoundedInTime()
    {
        HuggingFaceClient client = Client(o =>
        {
            o.MaxRetries = 50;
            o.RetryDelay = TimeSpan.FromMilliseconds(200);
            o.RequestTimeout = TimeSpan.FromSeconds(1);
            o.AttemptTimeout = TimeSpan.FromSeconds(1);
        });
        _server.Override = _ => (503, null);

        var error = await Assert.ThrowsAsync<HostUnreachableException>(() => client.GetFilesAsync(Repo, cancellationToken: Ct));

        Assert.True(error.IsTimeout);
        Assert.Contains("did not answer in time", error.Message, StringComparison.Ordinal);
        Assert.InRange(TreeRequests(), 2, 10);
    }

    [Fact]
    public async Task ANameThatDoesNotResolveIsNotRetried()
    {
        var logs = new LogCollector();
        HuggingFaceClient client = Client(o => o.Endpoint = new Uri("http://offgrid-hub.invalid/"), logs);

        var error = await Assert.ThrowsAsync<HostUnreachableException>(() => client.GetFilesAsync(Repo, cancellationToken: Ct));

        Assert.True(error.IsNameNotResolved);
        Assert.Equal("offgrid-hub.invalid", error.Host);
        Assert.StartsWith("Could not reach offgrid-hub.invalid for the file list of alpha/Alpha-GGUF: its name does not resolve", error.Message, StringComparison.Ordinal);
        Assert.Contains("HF_ENDPOINT", error.Message, StringComparison.Ordinal);
        Assert.Empty(logs.Messages);
    }

    [Fact]
    public async Task ARefusedConnectionIsRetriedAndEachRetryIsLogged()
    {
        var logs = new LogCollector();
        var closed = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        int port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        HuggingFaceClient client = Client(o => { o.Endpoint = new Uri($"http://127.0.0.1:{port}/"); o.MaxRetries = 2; }, logs);

        var error = await Assert.ThrowsAsync<HostUnreachableException>(() => client.SearchModelsAsync(new ModelSearchQuery { Search = "qwen" }, Ct));

        Assert.False(error.IsNameNotResolved);
        Assert.Contains($"Could not reach 127.0.0.1:{port} for a search for 'qwen': the connection was refused", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, logs.Messages.Count);
        Assert.All(logs.Messages, m => Assert.Matches($@"^127\.0\.0\.1:{port}: the connection was refused, nothing listens there; trying again in [\d.]+ s \(retry \d of 2\)\.$", m));
    }

    [Fact]
    public async Task NoRetriesWhenDisabled()
    {
        HuggingFaceClient client = Client(o => o.MaxRetries = 0);
        FailFirst(1, 503);

        await Assert.ThrowsAsync<HubHttpException>(() => client.GetFilesAsync(Repo, cancellationToken: Ct));

        Assert.Equal(1, TreeRequests());
    }

    [Fact]
    public void RetrySettingsOutOfRangeFailAtStart()
    {
        using ServiceProvider provider = new ServiceCollection()
            .AddOffGridHub(o => o.HuggingFace.AttemptTimeout = TimeSpan.FromMinutes(5))
            .BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains("AttemptTimeout", error.Message, StringComparison.Ordinal);
    }

    private HuggingFaceClient Client(Action<HuggingFaceOptions>? configure = null, ILoggerProvider? logs = null)
    {
        _provider = new ServiceCollection()
            .AddLogging(b => { if (logs is not null) { b.AddProvider(logs); } })
            .AddOffGridHub(o =>
            {
                o.HomeDirectory = _home;
                o.HuggingFace.Endpoint = _server.BaseUri;
                o.HuggingFace.Token = null;
                o.HuggingFace.RetryDelay = TimeSpan.FromMilliseconds(10);
                configure?.Invoke(o.HuggingFace);
            })
            .BuildServiceProvider();
        _provider.GetRequiredService<IStartupValidator>().Validate();
        return _provider.GetRequiredService<HuggingFaceClient>();
    }

    private void FailFirst(int count, int status, string? retryAfter = null)
    {
        int failures = 0;
        _server.Override = _ => Interlocked.Increment(ref failures) <= count ? (status, retryAfter) : null;
    }

    private int TreeRequests() => _server.Requests.Count(r => r.Contains("/tree/", StringComparison.Ordinal));

    /// <summary>The warnings OffGrid's own categories log, formatted (Polly's telemetry logs each attempt too).</summary>
    private sealed class LogCollector : ILoggerProvider, ILogger
    {
        public List<string> Messages { get; } = [];

        public ILogger CreateLogger(string categoryName) => categoryName.StartsWith("OffGrid.", StringComparison.Ordinal) ? this : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                lock (Messages)
                {
                    Messages.Add(formatter(state, exception));
                }
            }
        }

        public void Dispose()
        {
        }
    }
}
