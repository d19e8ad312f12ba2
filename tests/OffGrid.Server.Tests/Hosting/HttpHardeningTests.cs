using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OffGrid.AspNetCore.Hosting;
using OffGrid.Testing;

namespace OffGrid.Server.Tests.Hosting;

/// <summary>The whole server's HTTP settings: a per-client rate limit, CORS for named origins, and HTTPS from a certificate file.</summary>
public sealed class HttpHardeningTests : IDisposable
{
    private readonly string _home = TestPaths.NewTempDir("offgrid-hardening");

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_home, recursive: true);

    [Fact]
    public async Task TheRateLimitAnswers429InEachApisShape()
    {
        await using WebApplication app = await StartAsync("--Server:RequestsPerMinutePerClient=2");
        using var http = new HttpClient { BaseAddress = Address(app) };

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/v1/models", Token)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/tags", Token)).StatusCode);
        using HttpResponseMessage openAi = await http.GetAsync("/v1/models", Token);
        using HttpResponseMessage ollama = await http.GetAsync("/api/tags", Token);

        Assert.Equal(429, (int)openAi.StatusCode);
        JsonElement error = JsonDocument.Parse(await openAi.Content.ReadAsStringAsync(Token)).RootElement.GetProperty("error");
        Assert.Equal("rate_limit_exceeded", error.GetProperty("code").GetString());
        Assert.InRange(int.Parse(openAi.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture), 1, 60);
        Assert.Equal("2", openAi.Headers.GetValues("x-ratelimit-limit-requests").Single());
        Assert.Equal(429, (int)ollama.StatusCode);
        Assert.Equal(JsonValueKind.String, JsonDocument.Parse(await ollama.Content.ReadAsStringAsync(Token)).RootElement.GetProperty("error").ValueKind);
    }

    [Fact]
    public async Task CorsAdmitsOnlyTheConfiguredOriginsAndNeedsNoKeyForPreflight()
    {
        await using WebApplication app = await StartAsync("--Server:CorsOrigins:0=https://intranet.example", "--Server:Auth:Mode=MultiUser");
        using var http = new HttpClient { BaseAddress = Address(app) };

        using HttpResponseMessage allowed = await http.SendAsync(Preflight("https://intranet.example"), Token);
        using HttpResponseMessage other = await http.SendAsync(Preflight("https://elsewhere.example"), Token);
        using var get = new HttpRequestMessage(HttpMethod.Get, "/health") { Headers = { { "Origin", "https://intranet.example" } } };
        using HttpResponseMessage simple = await http.SendAsync(get, Token);

        Assert.Equal(HttpStatusCode.NoContent, allowed.StatusCode);
        Assert.Equal("https://intranet.example", allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("authorization", allowed.Headers.GetValues("Access-Control-Allow-Headers").Single(), StringComparison.OrdinalIgnoreCase);
        Assert.False(other.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.Contains("Retry-After", simple.Headers.GetValues("Access-Control-Expose-Headers").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HttpsServesWithTheConfiguredCertificate()
    {
        using X509Certificate2 certificate = SelfSigned();
        string pfx = Path.Combine(_home, "server.pfx");
        await File.WriteAllBytesAsync(pfx, certificate.Export(X509ContentType.Pkcs12, "pfx-password"), Token);

        await using WebApplication app = await StartAsync($"--Server:CertificatePath={pfx}", "--Server:CertificatePassword=pfx-password");
        Uri address = Address(app);
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, presented, _, _) => presented?.Thumbprint == certificate.Thumbprint };
        using var http = new HttpClient(handler) { BaseAddress = address };
        using HttpResponseMessage health = await http.GetAsync("/health", Token);

        Assert.Equal("https", address.Scheme);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);

        OptionsValidationException wrongPassword = Assert.Throws<OptionsValidationException>(() => Create($"--Server:CertificatePath={pfx}", "--Server:CertificatePassword=nope"));
        Assert.Contains(wrongPassword.Failures, f => f.Contains("cannot be loaded", StringComparison.Ordinal));
        OptionsValidationException missing = Assert.Throws<OptionsValidationException>(() => Create($"--Server:CertificatePath={Path.Combine(_home, "none.pfx")}"));
        Assert.Contains(missing.Failures, f => f.Contains("does not exist", StringComparison.Ordinal));
    }

    private static HttpRequestMessage Preflight(string origin) => new(HttpMethod.Options, "/v1/chat/completions")
    {
        Headers = { { "Origin", origin }, { "Access-Control-Request-Method", "POST" }, { "Access-Control-Request-Headers", "authorization,content-type" } },
    };

    private WebApplication Create(params string[] args) =>
        OffGridWebApplication.Create([$"--Hub:HomeDirectory={_home}", .. args], options => ServerFixture.Configure(options, preload: []));

    private async Task<WebApplication> StartAsync(params string[] args)
    {
        WebApplication app = Create(args);
        await app.StartAsync(Token);
        return app;
    }

    private static Uri Address(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    private static X509Certificate2 SelfSigned()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }
}
