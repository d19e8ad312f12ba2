using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OffGrid.Governance.AspNetCore;

namespace OffGrid.Server.Tests.Governance;

/// <summary>
/// Every endpoint the whole server maps declares who may call it, and in multi-user mode each non-public one answers 401
/// without a key and 403 with a key of a role it does not admit, in its API's error shape.
/// </summary>
public sealed partial class EndpointAccessTests(MultiUserServer server) : IClassFixture<MultiUserServer>
{
    [Fact]
    public async Task EveryNonPublicEndpointRefusesNoKeyAndTheWrongRole()
    {
        IReadOnlyList<RouteEndpoint> endpoints = Endpoints(server.App);
        Assert.Empty(Unclassified(endpoints));
        Assert.Contains(endpoints, e => e.RoutePattern.RawText == "/v1/chat/completions");
        Assert.Contains(endpoints, e => e.RoutePattern.RawText == "/v1/audit/export");

        using HttpClient anonymous = server.Client(null);
        using HttpClient user = server.Client(server.UserKey);
        using HttpClient auditor = server.Client(server.AuditorKey);
        var checkedRoutes = new List<string>();
        foreach (RouteEndpoint endpoint in endpoints)
        {
            EndpointAccess access = OffGridEndpointAccess.Classify(endpoint);
            if (access == EndpointAccess.Public)
            {
                continue;
            }

            // A user key is the wrong role for admin and audit routes; an auditor's for routes that call models or manage keys.
            HttpClient wrongRole = access == EndpointAccess.User ? auditor : user;
            string path = Parameter().Replace(endpoint.RoutePattern.RawText!, "x");
            foreach (string method in endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"])
            {
                string route = $"{method} {path} ({access})";
                (HttpResponseMessage noKey, JsonElement noKeyBody) = await MultiUserServer.SendAsync(anonymous, new HttpMethod(method), path, body: method == "GET" ? null : new { });
                Assert.True(401 == (int)noKey.StatusCode, $"{route} without a key: {(int)noKey.StatusCode}");
                AssertErrorShape(method, path, noKeyBody, "missing_api_key");
                Assert.Equal("Bearer", noKey.Headers.WwwAuthenticate.Single().Scheme);

                (HttpResponseMessage forbidden, JsonElement forbiddenBody) = await MultiUserServer.SendAsync(wrongRole, new HttpMethod(method), path, body: method == "GET" ? null : new { });
                Assert.True(403 == (int)forbidden.StatusCode, $"{route} with the wrong role: {(int)forbidden.StatusCode}");
                AssertErrorShape(method, path, forbiddenBody, "forbidden");
                checkedRoutes.Add(route);
            }
        }

        // Each API and each role appears: the check above did not pass by finding nothing.
        Assert.Contains(checkedRoutes, r => r.StartsWith("POST /api/chat ", StringComparison.Ordinal) && r.EndsWith("(User)", StringComparison.Ordinal));
        Assert.Contains(checkedRoutes, r => r.StartsWith("POST /api/pull ", StringComparison.Ordinal) && r.EndsWith("(Admin)", StringComparison.Ordinal));
        Assert.Contains(checkedRoutes, r => r.StartsWith("DELETE /v1/users/x ", StringComparison.Ordinal) && r.EndsWith("(Admin)", StringComparison.Ordinal));
        Assert.Contains(checkedRoutes, r => r.StartsWith("GET /v1/audit/verify ", StringComparison.Ordinal) && r.EndsWith("(Auditor)", StringComparison.Ordinal));
        Assert.True(checkedRoutes.Count >= 30, string.Join(", ", checkedRoutes));
    }

    [Fact]
    public async Task PublicEndpointsAnswerWithoutAKey()
    {
        string[] publicRoutes = [.. Endpoints(server.App).Where(e => OffGridEndpointAccess.Classify(e) == EndpointAccess.Public).Select(e => e.RoutePattern.RawText!).Order()];

        // The peer protocol authenticates LAN peers with the network secret (HMAC), not with API keys.
        Assert.Equal(["/", "/health", "/metrics", "/peer/v1/files/{sha256}", "/peer/v1/models", "/peer/v1/status", "/v1/auth/login"], publicRoutes);
        using HttpClient anonymous = server.Client(null);
        foreach (string path in new[] { "/", "/health", "/metrics" })
        {
            using HttpResponseMessage response = await anonymous.GetAsync(path, TestContext.Current.CancellationToken);
            Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task AnEndpointWithoutAClassificationFailsTheCheck()
    {
        string home = OffGrid.Testing.TestPaths.NewTempDir("offgrid-unclassified");
        try
        {
            await using WebApplication app = MultiUserServer.Create(home);
            app.MapGet("/v1/forgotten", () => "no declaration");

            // Routing collects the app's endpoints when the pipeline is built, at start.
            await app.StartAsync(TestContext.Current.CancellationToken);

            Assert.Equal(["GET /v1/forgotten"], Unclassified(Endpoints(app)));
            await app.StopAsync(TestContext.Current.CancellationToken);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    /// <summary>Every route endpoint of a started app, as routing sees them.</summary>
    internal static IReadOnlyList<RouteEndpoint> Endpoints(WebApplication app) =>
        [.. app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()];

    private static List<string> Unclassified(IEnumerable<RouteEndpoint> endpoints) =>
        [.. endpoints.Where(e => OffGridEndpointAccess.Classify(e) == EndpointAccess.Unclassified)
            .Select(e => $"{string.Join('|', e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["*"])} {e.RoutePattern.RawText}")];

    /// <summary>
    /// Ollama's routes answer <c>{"error":"..."}</c>; the others OpenAI's <c>{"error":{"message","type","code"}}</c>; an
    /// answer to HEAD has no body.
    /// </summary>
    private static void AssertErrorShape(string method, string path, JsonElement body, string code)
    {
        if (method == "HEAD")
        {
            return;
        }

        Assert.True(body.ValueKind == JsonValueKind.Object, $"{path}: the body is not a JSON object: {body}");
        JsonElement error = body.GetProperty("error");
        if (path.StartsWith("/api/", StringComparison.Ordinal))
        {
            Assert.False(string.IsNullOrEmpty(error.GetString()), path);
        }
        else
        {
            Assert.Equal(code, error.GetProperty("code").GetString());
            Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()), path);
        }
    }

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex Parameter();
}
