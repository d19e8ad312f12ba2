using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using OffGrid.Distribution;
using OffGrid.Distribution.Peers;
using OffGrid.Hub.Store;
using OffGrid.Testing;
using OffGrid.Testing.Browser;
using static Microsoft.Playwright.Assertions;

namespace OffGrid.AspNetCore.Tests.Peers;

/// <summary>
/// <c>/v1/p2p</c> on a real server (Kestrel on 127.0.0.1) whose manual peer list names a second app that shares
/// stories260K with the same network secret: status, peers, a peer's models, downloads with server-sent progress,
/// cancellation, the API's error shape for every refusal, and the web UI's peer panel in a real browser.
/// </summary>
public sealed class PeerEndpointsTests : IAsyncLifetime
{
    private const string SharedModel = "acme/stories";
    private readonly NetworkSecret _secret = NetworkSecret.Generate();
    private readonly string _peerHome = TestPaths.NewTempDir("p2p-peer");
    private TestServer _server = null!;
    private WebApplication _peer = null!;
    private string _peerAddress = null!;
    private TimeSpan _fileDelay;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var peerSettings = new PeerSettingsStore(new DistributionOptions { HomeDirectory = _peerHome });
        await peerSettings.SaveSecretAsync(_secret, Ct);
        await peerSettings.UpdateAsync(s => s with { Sharing = true, Name = "alice" }, Ct);
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Services.AddOffGridHub(o => o.HomeDirectory = _peerHome).AddOffGridDistribution();
        _peer = builder.Build();
        _peer.Use(async (HttpContext context, Func<Task> next) =>
        {
            // A slow link, when a test asks for one: file transfers start late.
            if (context.Request.Path.StartsWithSegments("/peer/v1/files") && _fileDelay > TimeSpan.Zero)
            {
                await Task.Delay(_fileDelay, context.RequestAborted);
            }

            await next();
        });
        _peer.MapOffGridPeerSharing();
        await _peer.Services.GetRequiredService<ModelStore>().ImportAsync(TestPaths.Stories260K, SharedModel, copy: true, Ct);
        await _peer.StartAsync(Ct);
        _peerAddress = $"127.0.0.1:{new Uri(_peer.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port}";

        _server = await TestServer.StartAsync(_ => { }, app =>
        {
            app.MapOpenAi();
            app.MapOffGrid();
            app.MapOffGridWebUi();
        });
        var serverSettings = new PeerSettingsStore(new DistributionOptions { HomeDirectory = _server.Home });
        await serverSettings.SaveSecretAsync(_secret, Ct);
        await serverSettings.UpdateAsync(s => s with { ManualPeers = [_peerAddress] }, Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        await _peer.DisposeAsync();
        Directory.Delete(_peerHome, recursive: true);
    }

    [Fact]
    public async Task StatusPeersAndModelsDescribeTheNetwork()
    {
        using JsonDocument status = await GetJsonAsync("/v1/p2p/status");
        Assert.False(status.RootElement.GetProperty("sharing").GetBoolean());
        Assert.True(status.RootElement.GetProperty("has_secret").GetBoolean());
        Assert.Equal(_secret.NetworkTag, status.RootElement.GetProperty("network_tag").GetString());

        using JsonDocument peers = await GetJsonAsync("/v1/p2p/peers");
        JsonElement alice = Assert.Single(peers.RootElement.GetProperty("data").EnumerateArray());
        Assert.Equal("alice", alice.GetProperty("name").GetString());
        Assert.Equal("manual", alice.GetProperty("discovery").GetString());
        Assert.Equal(1, alice.GetProperty("model_count").GetInt32());

        using JsonDocument models = await GetJsonAsync("/v1/p2p/peers/alice/models");
        JsonElement model = Assert.Single(models.RootElement.GetProperty("data").EnumerateArray());
        Assert.Equal(SharedModel, model.GetProperty("name").GetString());
        Assert.Equal(LoopbackSha256(TestPaths.Stories260K), model.GetProperty("files")[0].GetProperty("sha256").GetString());
        Assert.Equal("unsigned", model.GetProperty("signature").GetProperty("status").GetString());
    }

    [Fact]
    public async Task ADownloadStreamsItsProgressAndTheModelIsThenServed()
    {
        using HttpResponseMessage started = await _server.Http.PostAsJsonAsync("/v1/p2p/downloads", new { model = SharedModel, peers = "alice" }, Ct);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        using JsonDocument download = JsonDocument.Parse(await started.Content.ReadAsStringAsync(Ct));
        string id = download.RootElement.GetProperty("id").GetString()!;

        List<JsonDocument> events = await ReadEventsAsync($"/v1/p2p/downloads/{id}/events");

        JsonElement last = events[^1].RootElement;
        Assert.Equal("completed", last.GetProperty("state").GetString());
        Assert.Equal(SharedModel, last.GetProperty("stored_as").GetString());
        Assert.Equal(new FileInfo(TestPaths.Stories260K).Length, last.GetProperty("bytes_by_peer").GetProperty("alice").GetInt64());
        using JsonDocument listed = await GetJsonAsync("/v1/p2p/downloads");
        Assert.Equal(id, listed.RootElement.GetProperty("data")[0].GetProperty("id").GetString());

        using HttpResponseMessage chat = await _server.Http.PostAsJsonAsync("/v1/chat/completions", new { model = SharedModel, messages = new[] { new { role = "user", content = "Once upon a time" } }, max_tokens = 20, temperature = 0 }, Ct);
        string answer = await chat.Content.ReadAsStringAsync(Ct);
        Assert.True(chat.IsSuccessStatusCode, $"{(int)chat.StatusCode}: {answer}");
        Assert.Contains("Lily", answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARunningDownloadCanBeCancelled()
    {
        _fileDelay = TimeSpan.FromSeconds(30);
        using HttpResponseMessage started = await _server.Http.PostAsJsonAsync("/v1/p2p/downloads", new { model = SharedModel }, Ct);
        using JsonDocument download = JsonDocument.Parse(await started.Content.ReadAsStringAsync(Ct));
        string id = download.RootElement.GetProperty("id").GetString()!;

        using HttpResponseMessage cancelled = await _server.Http.DeleteAsync($"/v1/p2p/downloads/{id}", Ct);

        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        using JsonDocument state = JsonDocument.Parse(await cancelled.Content.ReadAsStringAsync(Ct));
        Assert.Equal("cancelled", state.RootElement.GetProperty("state").GetString());
        Assert.Contains("resumes", state.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RefusalsComeBackInTheApisErrorShape()
    {
        await AssertErrorAsync(await _server.Http.PostAsJsonAsync("/v1/p2p/downloads", new { peers = "alice" }, Ct), 400, "'model' is required");
        await AssertErrorAsync(await _server.Http.PostAsync("/v1/p2p/downloads", new StringContent("{not json", System.Text.Encoding.UTF8, "application/json"), Ct), 400, "not valid JSON");
        await AssertErrorAsync(await _server.Http.GetAsync("/v1/p2p/peers/bob/models", Ct), 404, "No peer 'bob' answered", "peer_not_found");
        await AssertErrorAsync(await _server.Http.GetAsync("/v1/p2p/downloads/nope", Ct), 404, "no peer download 'nope'", "download_not_found");

        using HttpResponseMessage started = await _server.Http.PostAsJsonAsync("/v1/p2p/downloads", new { model = "acme/nothing", peers = "alice" }, Ct);
        using JsonDocument download = JsonDocument.Parse(await started.Content.ReadAsStringAsync(Ct));
        JsonElement last = (await ReadEventsAsync($"/v1/p2p/downloads/{download.RootElement.GetProperty("id").GetString()}/events"))[^1].RootElement;
        Assert.Equal("failed", last.GetProperty("state").GetString());
        Assert.Contains("shares 'acme/nothing'", last.GetProperty("error").GetString(), StringComparison.Ordinal);

        File.Delete(Path.Combine(_server.Home, "p2p.secret"));
        await AssertErrorAsync(await _server.Http.GetAsync("/v1/p2p/peers", Ct), 409, "No network secret", "p2p_not_configured");
    }

    [Fact]
    public async Task TheWebUiShowsWhatPeersShareAndDownloadsAModelIntoTheStore()
    {
        Assert.SkipUnless(ChromiumPage.IsInstalled, "Debian's chromium is not installed (eng/test.sh installs it).");
        await using ChromiumPage browser = await ChromiumPage.OpenAsync(_server.BaseUri);
        IPage page = browser.Page;
        await Expect(page.Locator("#model option")).Not.ToHaveCountAsync(0);

        await page.Locator("#peersButton").ClickAsync();
        ILocator model = page.Locator(".peer-model").First;
        await Expect(model.Locator("span:not(.note)")).ToHaveTextAsync(new Regex($@"^{SharedModel} · [0-9.]+ [KM]B · unsigned$"));
        await Expect(page.Locator("#peerList h2")).ToHaveTextAsync($"alice ({_peerAddress})");
        await model.GetByRole(AriaRole.Button, new() { Name = "Download" }).ClickAsync();
        await Expect(model.Locator(".note")).ToHaveTextAsync($"In the store as {SharedModel}.", new() { Timeout = 60_000 });
        await Expect(page.Locator($"#model option[value='{SharedModel}']")).ToHaveCountAsync(1);
        Assert.NotNull(await _server.App.Services.GetRequiredService<ModelStore>().FindAsync(SharedModel, Ct));

        // Without the network secret the panel says what to do instead of listing anything.
        File.Delete(Path.Combine(_server.Home, "p2p.secret"));
        await page.Locator("#peersButton").ClickAsync();
        await page.Locator("#peersButton").ClickAsync();
        await Expect(page.Locator("#peerList p.error")).ToContainTextAsync("No network secret");
    }

    [Fact]
    public async Task AWebUiDownloadCanBeCancelled()
    {
        Assert.SkipUnless(ChromiumPage.IsInstalled, "Debian's chromium is not installed (eng/test.sh installs it).");
        _fileDelay = TimeSpan.FromSeconds(30);
        await using ChromiumPage browser = await ChromiumPage.OpenAsync(_server.BaseUri);
        IPage page = browser.Page;

        // The page is ready (its script ran and listed the models) before its buttons are clicked.
        await Expect(page.Locator("#model option")).Not.ToHaveCountAsync(0);
        await page.Locator("#peersButton").ClickAsync();
        ILocator model = page.Locator(".peer-model").First;
        await model.GetByRole(AriaRole.Button, new() { Name = "Download" }).ClickAsync();
        await model.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();

        await Expect(model.Locator(".note")).ToHaveTextAsync(new Regex("^Cancelled.*next download of this model resumes", RegexOptions.Singleline));
        await Expect(model.GetByRole(AriaRole.Button, new() { Name = "Cancel" })).ToHaveCountAsync(0);
        await Expect(model.GetByRole(AriaRole.Button, new() { Name = "Download" })).ToBeEnabledAsync();
        Assert.Null(await _server.App.Services.GetRequiredService<ModelStore>().FindAsync(SharedModel, Ct));
    }


    private async Task<JsonDocument> GetJsonAsync(string path)
    {
        using HttpResponseMessage response = await _server.Http.GetAsync(path, Ct);
        string body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body);
    }

    private async Task<List<JsonDocument>> ReadEventsAsync(string path)
    {
        using HttpResponseMessage response = await _server.Http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, Ct);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Ct));
        var events = new List<JsonDocument>();
        while (await reader.ReadLineAsync(Ct) is { } line)
        {
            if (line == "data: [DONE]")
            {
                return events;
            }

            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                events.Add(JsonDocument.Parse(line["data: ".Length..]));
            }
        }

        Assert.Fail("the event stream ended without [DONE]");
        return events;
    }

    private static async Task AssertErrorAsync(HttpResponseMessage response, int status, string message, string? code = null)
    {
        using (response)
        {
            string body = await response.Content.ReadAsStringAsync(Ct);
            Assert.True((int)response.StatusCode == status, $"{(int)response.StatusCode}: {body}");
            using JsonDocument error = JsonDocument.Parse(body);
            JsonElement detail = error.RootElement.GetProperty("error");
            Assert.Contains(message, detail.GetProperty("message").GetString(), StringComparison.Ordinal);
            if (code is not null)
            {
                Assert.Equal(code, detail.GetProperty("code").GetString());
            }
        }
    }

    private static string LoopbackSha256(string path)
    {
        using FileStream stream = File.OpenRead(path);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream));
    }
}
