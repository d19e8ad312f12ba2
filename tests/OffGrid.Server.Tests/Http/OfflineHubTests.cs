using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using OffGrid.AspNetCore.Hosting;

namespace OffGrid.Server.Tests.Http;

/// <summary>
/// A server on a machine without network: Hub requests fail with a gateway status (503 unreachable, 504 no answer in
/// time) in each API's error shape, naming the host, the model and what works offline; the server keeps serving.
/// </summary>
public sealed class OfflineHubTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PullAndSearchAnswer503WhenTheHubDoesNotResolve()
    {
        await using WebApplication app = await StartAsync("http://offgrid-hub.invalid/");
        using HttpClient http = Client(app);

        foreach (bool stream in new[] { false, true })
        {
            using HttpResponseMessage pull = await http.PostAsJsonAsync("/api/pull", new { model = "acme/Tiny-GGUF", stream }, Token);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, pull.StatusCode);
            string ollamaError = JsonDocument.Parse(await pull.Content.ReadAsStringAsync(Token)).RootElement.GetProperty("error").GetString()!;
            Assert.StartsWith("Could not reach offgrid-hub.invalid for the model 'acme/Tiny-GGUF': its name does not resolve", ollamaError, StringComparison.Ordinal);
            Assert.Contains("HF_ENDPOINT", ollamaError, StringComparison.Ordinal);
        }

        using HttpResponseMessage search = await http.GetAsync("/v1/search?q=tiny", Token);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, search.StatusCode);
        JsonElement openAiError = JsonDocument.Parse(await search.Content.ReadAsStringAsync(Token)).RootElement.GetProperty("error");
        Assert.Equal("server_error", openAiError.GetProperty("type").GetString());
        Assert.Equal("upstream_unreachable", openAiError.GetProperty("code").GetString());
        Assert.Contains("offgrid-hub.invalid", openAiError.GetProperty("message").GetString(), StringComparison.Ordinal);

        using HttpResponseMessage health = await http.GetAsync("/health", Token);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task AHubThatNeverAnswersIs504()
    {
        // Accepts connections and never answers, like a firewall that swallows packets after the handshake.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        await using WebApplication app = await StartAsync(
            $"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}/", "--Hub:HuggingFace:AttemptTimeout=00:00:00.5", "--Hub:HuggingFace:MaxRetries=0");
        using HttpClient http = Client(app);

        using HttpResponseMessage search = await http.PostAsJsonAsync("/v1/search", new { query = "tiny" }, Token);
        Assert.Equal(HttpStatusCode.GatewayTimeout, search.StatusCode);
        JsonElement error = JsonDocument.Parse(await search.Content.ReadAsStringAsync(Token)).RootElement.GetProperty("error");
        Assert.Equal("upstream_timeout", error.GetProperty("code").GetString());
        Assert.Contains("did not answer in time", error.GetProperty("message").GetString(), StringComparison.Ordinal);

        using HttpResponseMessage pull = await http.PostAsJsonAsync("/api/pull", new { model = "acme/Tiny-GGUF" }, Token);
        Assert.Equal(HttpStatusCode.GatewayTimeout, pull.StatusCode);
        Assert.Contains("for the model 'acme/Tiny-GGUF'", JsonDocument.Parse(await pull.Content.ReadAsStringAsync(Token)).RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    private static async Task<WebApplication> StartAsync(string endpoint, params string[] settings)
    {
        string home = OffGrid.Testing.TestPaths.NewTempDir("offgrid-offline");
        WebApplication app = OffGridWebApplication.Create(
            [$"--Hub:HomeDirectory={home}", $"--Hub:HuggingFace:Endpoint={endpoint}", .. settings],
            o => ServerFixture.Configure(o, preload: []));
        await app.StartAsync(Token);
        return app;
    }

    private static HttpClient Client(WebApplication app) => new()
    {
        BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()),
    };
}
