using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using OffGrid.AspNetCore.Hosting;
using OffGrid.Server.Tests.Backends;
using OffGrid.Testing;

namespace OffGrid.Server.Tests.Knowledge;

/// <summary>
/// Federated knowledge search across real OffGrid servers: an in-process server whose collection includes two real
/// <c>offgrid-server</c> processes (each with its own OFFGRID_HOME and collection) and a node that accepts connections but never
/// answers. The merged order is reciprocal-rank fusion computed here from each node's own ranking; the stalled node and then a
/// killed one make the result partial within the deadline, never a hang.
/// </summary>
public sealed class FederatedSearchTests
{
    private const int K = 60;
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RankingsMergeByReciprocalRankAndMissingNodesMakeThePartialResult()
    {
        var models = new Dictionary<string, string> { ["stories"] = TestPaths.Stories260K };
        ServerProcess[] nodes = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => ServerProcess.StartAsync(models, Ct)));
        using var stalled = new TcpListener(IPAddress.Loopback, 0);
        stalled.Start(backlog: 16);
        var stalledUrl = new Uri($"http://127.0.0.1:{((IPEndPoint)stalled.LocalEndpoint).Port}/");
        string home = TestPaths.NewTempDir("offgrid-federation");
        WebApplication front = OffGridWebApplication.Create(
            [$"--Hub:HomeDirectory={home}", $"--Server:Knowledge:FederationDeadline={s_deadline}"],
            options => ServerFixture.Configure(options, preload: []));
        try
        {
            await front.StartAsync(Ct);
            var baseUri = new Uri(front.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            using var http = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromMinutes(2) };
            using var b = new HttpClient { BaseAddress = nodes[0].BaseUri, Timeout = TimeSpan.FromMinutes(2) };
            using var c = new HttpClient { BaseAddress = nodes[1].BaseUri, Timeout = TimeSpan.FromMinutes(2) };
            await Task.WhenAll(
                CreateAsync(http, "docs", ("local-reset.md", "Reset the pump: hold the blue button for ten seconds."), ("local-oil.md", "Pump oil is changed every year.")),
                CreateAsync(b, "docs", ("b-pump.md", "The pump in hall B is reset from the panel."), ("b-valve.md", "Valves and the pump are checked weekly."), ("b-fan.md", "The fan has no pump.")),
                CreateAsync(c, "manuals", ("c-reset.md", "To reset a pump, open the cover and press reset."), ("c-pump.md", "A pump manual for the plant.")));

            // Nodes are managed over HTTP (admin); the key itself is never shown back.
            await AddNodeAsync(http, new { name = "hall-b", url = nodes[0].BaseUri.AbsoluteUri, api_key = "not-checked-in-single-user-mode" });
            await AddNodeAsync(http, new { name = "plant-c", url = nodes[1].BaseUri.AbsoluteUri, collection = "manuals", weight = 2.0 });
            using (JsonDocument listed = JsonDocument.Parse(await http.GetStringAsync("/v1/knowledge/collections/docs/nodes", Ct)))
            {
                JsonElement[] data = [.. listed.RootElement.GetProperty("data").EnumerateArray()];
                Assert.Equal(["hall-b", "plant-c"], data.Select(n => n.GetProperty("name").GetString()));
                Assert.True(data[0].GetProperty("has_api_key").GetBoolean());
                Assert.DoesNotContain("not-checked", listed.RootElement.GetRawText(), StringComparison.Ordinal);
            }

            // Each source's own ranking, as the federated search receives it.
            object query = new { query = "reset the pump", collections = new[] { "docs" }, top_k = 10 };
            List<string> local = await RankingAsync(http, new { query = "reset the pump", collections = new[] { "docs" }, top_k = 10, local_only = true });
            List<string> hallB = await RankingAsync(b, query);
            List<string> plantC = await RankingAsync(c, new { query = "reset the pump", collections = new[] { "manuals" }, top_k = 10 });
            Assert.True(local.Count >= 2 && hallB.Count >= 2 && plantC.Count >= 2, "every source finds its pump documents");
            (double Weight, List<string> Hits, string Node)[] rankings = [(1.0, local, "local"), (1.0, hallB, "hall-b"), (2.0, plantC, "plant-c")];
            string[] expected = [.. rankings
                .SelectMany((ranking, source) => ranking.Hits.Select((hit, i) => (Id: ranking.Node + "/" + hit, Source: source, Rank: i + 1, Score: ranking.Weight / (K + i + 1))))
                .OrderByDescending(h => h.Score).ThenBy(h => h.Source).ThenBy(h => h.Rank)
                .Take(10).Select(h => h.Id)];

            using (JsonDocument merged = await SearchAsync(http, query))
            {
                Assert.False(merged.RootElement.GetProperty("partial").GetBoolean(), merged.RootElement.GetProperty("nodes").GetRawText());
                Assert.Equal(expected, Ids(merged));
                JsonElement first = merged.RootElement.GetProperty("data")[0];
                Assert.Equal("plant-c", first.GetProperty("citation").GetProperty("node").GetString());
                Assert.Equal(nodes[1].BaseUri.AbsoluteUri, first.GetProperty("citation").GetProperty("node_url").GetString());
                Assert.Equal(2.0 / (K + 1), first.GetProperty("score").GetDouble(), 12);
                Assert.All(merged.RootElement.GetProperty("nodes").EnumerateArray(), n => Assert.Equal("ok", n.GetProperty("status").GetString()));
            }

            // A node that accepts the connection and never answers: the result comes at the deadline, flagged partial.
            await AddNodeAsync(http, new { name = "stalled", url = stalledUrl.AbsoluteUri });
            var clock = Stopwatch.StartNew();
            using (JsonDocument partial = await SearchAsync(http, query))
            {
                clock.Stop();
                Assert.True(clock.Elapsed < s_deadline + TimeSpan.FromSeconds(5), $"answered after {clock.Elapsed}");
                Assert.True(clock.Elapsed >= s_deadline - TimeSpan.FromMilliseconds(100), $"answered after {clock.Elapsed}, before the deadline");
                Assert.True(partial.RootElement.GetProperty("partial").GetBoolean());
                JsonElement missing = partial.RootElement.GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("status").GetString() == "failed");
                Assert.Equal("stalled", missing.GetProperty("node").GetString());
                Assert.Contains("deadline", missing.GetProperty("error").GetString(), StringComparison.Ordinal);
                Assert.Equal(expected, Ids(partial));
            }

            // A node killed mid-test: refused at once, the others still merge.
            await Delete(http, "/v1/knowledge/collections/docs/nodes/stalled");
            nodes[1].Kill();
            clock.Restart();
            using (JsonDocument afterKill = await SearchAsync(http, query))
            {
                Assert.True(clock.Elapsed < s_deadline + TimeSpan.FromSeconds(5), $"answered after {clock.Elapsed}");
                Assert.True(afterKill.RootElement.GetProperty("partial").GetBoolean());
                JsonElement killed = afterKill.RootElement.GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("status").GetString() == "failed");
                Assert.Equal("plant-c", killed.GetProperty("node").GetString());
                Assert.DoesNotContain(Ids(afterKill), id => id.StartsWith("plant-c/", StringComparison.Ordinal));
                Assert.Contains(Ids(afterKill), id => id.StartsWith("hall-b/", StringComparison.Ordinal));
            }

            // Chat with knowledge: the sources name their node, and the answer says the sources are partial.
            using HttpResponseMessage chat = await http.PostAsJsonAsync("/v1/chat/completions", new
            {
                model = "stories",
                max_tokens = 4,
                messages = new[] { new { role = "user", content = "How do I reset the pump?" } },
                knowledge = new { collections = new[] { "docs" }, top_k = 3 },
            }, Ct);
            Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
            using JsonDocument answer = JsonDocument.Parse(await chat.Content.ReadAsStringAsync(Ct));
            Assert.True(answer.RootElement.GetProperty("sources").EnumerateArray().Any(s => s.TryGetProperty("node", out JsonElement node) && node.GetString() == "hall-b"), answer.RootElement.GetRawText());
            Assert.True(answer.RootElement.GetProperty("knowledge").GetProperty("partial").GetBoolean(), answer.RootElement.GetRawText());

            // Ollama's chat carries the same extensions.
            using HttpResponseMessage ollama = await http.PostAsJsonAsync("/api/chat", new
            {
                model = "stories",
                stream = false,
                messages = new[] { new { role = "user", content = "How do I reset the pump?" } },
                options = new { num_predict = 4, knowledge = new { collections = new[] { "docs" }, top_k = 3 } },
            }, Ct);
            using JsonDocument ollamaAnswer = JsonDocument.Parse(await ollama.Content.ReadAsStringAsync(Ct));
            Assert.Equal(HttpStatusCode.OK, ollama.StatusCode);
            Assert.True(ollamaAnswer.RootElement.GetProperty("knowledge").GetProperty("partial").GetBoolean(), ollamaAnswer.RootElement.GetRawText());
            Assert.Contains(ollamaAnswer.RootElement.GetProperty("sources").EnumerateArray(), s => s.TryGetProperty("node", out JsonElement node) && node.GetString() == "hall-b");

            // Bad input: a clear 400 or 404 in OpenAI's error shape.
            using HttpResponseMessage badUrl = await http.PostAsJsonAsync("/v1/knowledge/collections/docs/nodes", new { url = "not a url" }, Ct);
            Assert.Equal(HttpStatusCode.BadRequest, badUrl.StatusCode);
            using HttpResponseMessage unknown = await http.DeleteAsync("/v1/knowledge/collections/docs/nodes/ghost", Ct);
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
            Assert.Contains("node_not_found", await unknown.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }
        finally
        {
            await front.StopAsync(CancellationToken.None);
            await front.DisposeAsync();
            foreach (ServerProcess node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    private static async Task CreateAsync(HttpClient http, string collection, params (string Name, string Text)[] documents)
    {
        (await http.PostAsJsonAsync("/v1/knowledge/collections", new { name = collection, embedding_model = "stories" }, Ct)).EnsureSuccessStatusCode();
        using var form = new MultipartFormDataContent();
        foreach ((string name, string text) in documents)
        {
            form.Add(new StringContent(text), "file", name);
        }

        using HttpResponseMessage job = await http.PostAsync($"/v1/knowledge/collections/{collection}/documents?wait=true", form, Ct);
        string body = await job.Content.ReadAsStringAsync(Ct);
        Assert.True(job.IsSuccessStatusCode, body);
        Assert.Equal("completed", JsonDocument.Parse(body).RootElement.GetProperty("status").GetString());
    }

    private static async Task AddNodeAsync(HttpClient http, object node)
    {
        using HttpResponseMessage added = await http.PostAsJsonAsync("/v1/knowledge/collections/docs/nodes", node, Ct);
        Assert.True(added.StatusCode == HttpStatusCode.Created, await added.Content.ReadAsStringAsync(Ct));
    }

    private static async Task Delete(HttpClient http, string path) => (await http.DeleteAsync(path, Ct)).EnsureSuccessStatusCode();

    private static async Task<JsonDocument> SearchAsync(HttpClient http, object query)
    {
        using HttpResponseMessage response = await http.PostAsJsonAsync("/v1/knowledge/search", query, Ct);
        string body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body);
    }

    /// <summary>A source's own ranking, by document source name.</summary>
    private static async Task<List<string>> RankingAsync(HttpClient http, object query)
    {
        using JsonDocument result = await SearchAsync(http, query);
        return [.. result.RootElement.GetProperty("data").EnumerateArray().Select(h => h.GetProperty("citation").GetProperty("source").GetString()! + "#" + h.GetProperty("citation").GetProperty("chunk_id").GetInt64())];
    }

    /// <summary>The merged hits as <c>node/source#chunk</c>, <c>local</c> for this server's own.</summary>
    private static string[] Ids(JsonDocument result) =>
        [.. result.RootElement.GetProperty("data").EnumerateArray().Select(h =>
        {
            JsonElement citation = h.GetProperty("citation");
            string node = citation.TryGetProperty("node", out JsonElement name) && name.ValueKind == JsonValueKind.String ? name.GetString()! : "local";
            return node + "/" + citation.GetProperty("source").GetString() + "#" + citation.GetProperty("chunk_id").GetInt64();
        })];
}
