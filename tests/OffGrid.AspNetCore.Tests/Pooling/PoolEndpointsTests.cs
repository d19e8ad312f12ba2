using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OffGrid.AspNetCore.Models;
using OffGrid.Testing;
using OffGrid.Testing.Models;

namespace OffGrid.AspNetCore.Tests.Pooling;

/// <summary><c>/v1/pool</c> on a real server: pin, a hot-swap while a streamed chat is in flight, and unload by name or by file.</summary>
public sealed class PoolEndpointsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task HotSwapWhileAStreamIsInFlightMovesThePinAndServesTheReplacement()
    {
        await using TestServer server = await TestServer.StartAsync(
            _ => { },
            app =>
            {
                app.MapOpenAi("/v1");
                app.MapOffGrid("/v1");
                app.MapOllama("/api");
            },
            options => options.Models["tiny"] = TestLlamaModels.Tiny);

        // Pinning a model that is not loaded yet loads it (prewarm).
        JsonNode pinned = await PostAsync(server, "/v1/pool/pin", new { model = "stories" });
        Assert.True((bool)pinned["pinned"]!);
        Assert.True((bool)pinned["loaded"]!);
        JsonNode pool = (await server.Http.GetFromJsonAsync<JsonNode>("/v1/pool", Ct))!;
        JsonNode stories = Assert.Single(pool["data"]!.AsArray())!;
        Assert.True((bool)stories["pinned"]!);
        Assert.Equal("stories", (string?)Assert.Single(stories["names"]!.AsArray()));
        Assert.True((long)stories["estimated_bytes"]! > 100_000);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = JsonContent.Create(Chat("stories", 150, stream: true)) };
        using HttpResponseMessage streaming = await server.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        using var reader = new StreamReader(await streaming.Content.ReadAsStreamAsync(Ct));
        Assert.StartsWith("data: ", await reader.ReadLineAsync(Ct), StringComparison.Ordinal);

        JsonNode swapped = await PostAsync(server, "/v1/pool/swap", new { model = "stories", replacement = "tiny" });
        Assert.Equal(Path.GetFullPath(TestLlamaModels.Tiny), (string?)swapped["replacement_path"]);
        Assert.Equal(Path.GetFullPath(TestPaths.Stories260K), (string?)swapped["path"]);
        (await server.Http.PostAsJsonAsync("/v1/chat/completions", Chat("stories", 2, stream: false), Ct)).EnsureSuccessStatusCode();

        string rest = await reader.ReadToEndAsync(Ct);
        Assert.Contains("\"finish_reason\":\"length\"", rest, StringComparison.Ordinal); // the in-flight stream ran to its end
        Assert.EndsWith("data: [DONE]", rest.TrimEnd(), StringComparison.Ordinal);

        pool = (await server.Http.GetFromJsonAsync<JsonNode>("/v1/pool", Ct))!;
        JsonNode replacement = Assert.Single(pool["data"]!.AsArray())!;
        Assert.Equal(Path.GetFullPath(TestLlamaModels.Tiny), (string?)replacement["path"]);
        Assert.True((bool)replacement["pinned"]!);
        Assert.Contains("stories", replacement["names"]!.AsArray().Select(n => (string?)n));

        // Ollama's views follow the swap: "stories" is described, listed and shown running as the replacement file.
        JsonNode show = (await PostAsync(server, "/api/show", new { model = "stories" }));
        Assert.Contains(Path.GetFullPath(TestLlamaModels.Tiny), (string?)show["modelfile"], StringComparison.Ordinal);
        JsonNode tags = (await server.Http.GetFromJsonAsync<JsonNode>("/api/tags", Ct))!;
        Assert.Equal(new FileInfo(TestLlamaModels.Tiny).Length, (long)tags["models"]!.AsArray().Single(m => (string?)m!["name"] == "stories")!["size"]!);
        JsonNode ps = (await server.Http.GetFromJsonAsync<JsonNode>("/api/ps", Ct))!;
        Assert.Equal("stories", (string?)Assert.Single(ps["models"]!.AsArray())!["name"]);

        HttpResponseMessage missing = await server.Http.PostAsJsonAsync("/v1/pool/swap", new { model = "stories" }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal("replacement", (string?)(await missing.Content.ReadFromJsonAsync<JsonNode>(Ct))!["error"]!["param"]);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Http.PostAsJsonAsync("/v1/pool/pin", new { model = "nothing-here" }, Ct)).StatusCode);
        HttpResponseMessage unknown = await server.Http.PostAsJsonAsync("/v1/pool/swap", new { model = "stories", replacement = "nothing-here" }, Ct);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("replacement", (string?)(await unknown.Content.ReadFromJsonAsync<JsonNode>(Ct))!["error"]!["param"]);

        // "path" is the file this swap replaced: swapping back reports the replacement, not the name's original file.
        JsonNode back = await PostAsync(server, "/v1/pool/swap", new { model = "stories", replacement = "stories" });
        Assert.Equal(Path.GetFullPath(TestLlamaModels.Tiny), (string?)back["path"]);
    }

    [Fact]
    public async Task AModelASwapReplacedIsListedAsDrainingWhileARequestStillHoldsIt()
    {
        await using TestServer server = await TestServer.StartAsync(
            _ => { },
            app => app.MapOffGrid("/v1"),
            options => options.Models["tiny"] = TestLlamaModels.Tiny);
        ModelAccess models = server.App.Services.GetRequiredService<ModelAccess>();

        using (await models.OpenAsync("stories", keepAlive: null, Ct)) // a request still running on the old file
        {
            await PostAsync(server, "/v1/pool/swap", new { model = "stories", replacement = "tiny" });
            JsonArray during = (await server.Http.GetFromJsonAsync<JsonNode>("/v1/pool", Ct))!["data"]!.AsArray();
            Assert.Equal(2, during.Count);
            JsonNode old = during.Single(m => (bool)m!["draining"]!)!;
            Assert.Equal(Path.GetFullPath(TestPaths.Stories260K), (string?)old["path"]);
            Assert.Equal(1, (int)old["active_leases"]!);
            Assert.Empty(old["names"]!.AsArray());
            Assert.Equal(["stories", "tiny"], during.Single(m => !(bool)m!["draining"]!)!["names"]!.AsArray().Select(n => (string?)n).Order());
        }

        JsonNode after = Assert.Single((await server.Http.GetFromJsonAsync<JsonNode>("/v1/pool", Ct))!["data"]!.AsArray())!;
        Assert.False((bool)after["draining"]!);

        // By path a file is unloaded as it is: the one "stories" was swapped away from is not loaded, and the replacement stays.
        JsonNode swappedAway = await PostAsync(server, "/v1/pool/unload", new { path = Path.GetFullPath(TestPaths.Stories260K) });
        Assert.False((bool)swappedAway["unloaded"]!);
        Assert.Single((await server.Http.GetFromJsonAsync<JsonNode>("/v1/pool", Ct))!["data"]!.AsArray());

        // By name, the file that serves it is unloaded.
        JsonNode byName = await PostAsync(server, "/v1/pool/unload", new { model = "stories" });
        Assert.True((bool)byName["unloaded"]!);
        Assert.Equal(Path.GetFullPath(TestLlamaModels.Tiny), (string?)byName["path"]);
        Assert.Empty((await server.Http.GetFromJsonAsync<JsonNode>("/v1/pool", Ct))!["data"]!.AsArray());

        foreach (object bad in new object[] { new { path = "tiny.gguf" }, new { model = "stories", path = Path.GetFullPath(TestLlamaModels.Tiny) } })
        {
            using HttpResponseMessage refused = await server.Http.PostAsJsonAsync("/v1/pool/unload", bad, Ct);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal("path", (string?)(await refused.Content.ReadFromJsonAsync<JsonNode>(Ct))!["error"]!["param"]);
        }
    }

    private static object Chat(string model, int maxTokens, bool stream) =>
        new { model, messages = new[] { new { role = "user", content = "Once upon a time" } }, max_tokens = maxTokens, temperature = 0, stream };

    private static async Task<JsonNode> PostAsync(TestServer server, string path, object body)
    {
        HttpResponseMessage response = await server.Http.PostAsJsonAsync(path, body, Ct);
        string text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }
}
