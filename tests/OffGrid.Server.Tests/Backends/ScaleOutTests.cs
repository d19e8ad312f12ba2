using System.ClientModel;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using OffGrid.AspNetCore.Hosting;
using OffGrid.Testing;
using OllamaSharp;
using OpenAI;
using OpenAI.Chat;

namespace OffGrid.Server.Tests.Backends;

/// <summary>
/// An OffGrid server in front of three real OffGrid server processes that run llama.cpp on stories260K, reached through
/// each kind of backend (OffGrid, OpenAI-compatible, Ollama): the model is listed once with its backends, requests are
/// spread, a backend killed mid-traffic is left out, nothing hangs, and every in-flight count returns to zero.
/// </summary>
public sealed class ScaleOutTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ThreeServerProcessesServeOneModelAndAKilledOneIsLeftOut()
    {
        var models = new Dictionary<string, string> { ["story"] = TestPaths.Stories260K };
        ServerProcess[] nodes = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => ServerProcess.StartAsync(models, Ct)));
        string home = TestPaths.NewTempDir("offgrid-front");
        // Configured with the README's command (its example addresses replaced by the three processes'), then test timings.
        WebApplication front = OffGridWebApplication.Create(
            [
                $"--Hub:HomeDirectory={home}",
                .. ReadmeSwitches()
                    .Where(s => !s.StartsWith("--Server:Port=", StringComparison.Ordinal))
                    .Select(s => s
                        .Replace("http://127.0.0.1:11611/", nodes[0].BaseUri.ToString(), StringComparison.Ordinal)
                        .Replace("http://127.0.0.1:8080/", nodes[1].BaseUri.ToString(), StringComparison.Ordinal)
                        .Replace("http://127.0.0.1:11434/", nodes[2].BaseUri.ToString(), StringComparison.Ordinal)),
                "--Server:Balancing:PrefixAffinity=false",
                "--Server:Balancing:HealthCheckInterval=00:00:00.5",
                "--Server:Balancing:HealthCheckTimeout=00:00:10",
                "--Server:Balancing:UnhealthyAfterFailedChecks=1",
            ],
            options => ServerFixture.Configure(options, preload: []));
        try
        {
            await front.StartAsync(Ct);
            var baseUri = new Uri(front.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            using var http = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromMinutes(2) };

            // One model, listed with the backends that serve it, in OpenAI's and Ollama's lists.
            using (JsonDocument list = JsonDocument.Parse(await http.GetStringAsync("/v1/models", Ct)))
            {
                JsonElement story = list.RootElement.GetProperty("data").EnumerateArray().Single(m => m.GetProperty("id").GetString() == "story");
                Assert.Equal("n1,n2,n3", story.GetProperty("owned_by").GetString());
            }

            using (JsonDocument tags = JsonDocument.Parse(await http.GetStringAsync("/api/tags", Ct)))
            {
                JsonElement story = tags.RootElement.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("name").GetString() == "story");
                Assert.Equal(["n1", "n2", "n3"], story.GetProperty("backends").EnumerateArray().Select(b => b.GetString()));
            }

            // The OpenAI SDK and OllamaSharp against the front: every backend answers its share, through each kind of client.
            ChatClient openAi = new OpenAIClient(new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(baseUri, "v1") }).GetChatClient("story");
            var options = new ChatCompletionOptions { MaxOutputTokenCount = 8, Temperature = 0 };
            for (int i = 0; i < 6; i++)
            {
                ChatCompletion completion = await openAi.CompleteChatAsync([new UserChatMessage("Once upon a time")], options, Ct);
                Assert.False(string.IsNullOrEmpty(completion.Content[0].Text));
            }

            using var ollama = new OllamaApiClient(new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromMinutes(2) }, "story");
            string streamed = string.Concat(await ((IChatClient)ollama).GetStreamingResponseAsync("Lily", new ChatOptions { MaxOutputTokens = 8 }, Ct).Select(u => u.Text).ToListAsync(Ct));
            Assert.NotEmpty(streamed);
            // Embeddings too, once through each kind of backend (round-robin).
            for (int i = 0; i < 3; i++)
            {
                using HttpResponseMessage embedded = await http.PostAsJsonAsync("/v1/embeddings", new { model = "story", input = new[] { "a cat", "a dog" } }, Ct);
                JsonElement body = await embedded.Content.ReadFromJsonAsync<JsonElement>(Ct);
                Assert.True(embedded.IsSuccessStatusCode, body.ToString());
                Assert.Equal(2, body.GetProperty("data").GetArrayLength());
                Assert.True(body.GetProperty("data")[0].GetProperty("embedding").GetArrayLength() > 0);
            }

            Dictionary<string, long> served = await RequestsAsync(http);
            Assert.All(served.Values, count => Assert.True(count >= 3, string.Join(", ", served)));

            // n2 dies while requests run: each ends (answered, or failed with an error) and none hangs.
            Task<int>[] during = [.. Enumerable.Range(0, 6).Select(i => StreamAsync(http, $"Tom {i}", maxTokens: 48))];
            await Task.Delay(100, Ct);
            nodes[1].Kill();
            int[] statuses = await Task.WhenAll(during).WaitAsync(TimeSpan.FromMinutes(1), Ct);
            Assert.All(statuses, s => Assert.True(s is 200 or 502 or 503 or 504, $"status {s}"));

            // Traffic moves to the others: a request picked for n2 before the health check notices fails over at once.
            for (int i = 0; i < 6; i++)
            {
                (int status, JsonElement body) = await PostAsync(http, $"Sue {i}");
                Assert.True(status == 200, body.ToString());
            }

            await Eventually(async () => await StatusAsync(http, "n2") == "unhealthy");
            long n2Requests = (await RequestsAsync(http))["n2"];
            for (int i = 0; i < 3; i++)
            {
                Assert.Equal(200, (await PostAsync(http, $"Ben {i}")).Status);
            }

            Assert.Equal(n2Requests, (await RequestsAsync(http))["n2"]);
            await Eventually(async () => (await InFlightAsync(http)).All(n => n == 0));

            // Every backend gone: a clear error that names them, in the API's shape.
            nodes[0].Kill();
            nodes[2].Kill();
            (int down, JsonElement error) = await PostAsync(http, "anyone?");
            Assert.Equal(503, down);
            string message = error.GetProperty("error").GetProperty("message").GetString()!;
            Assert.Contains("n1", message, StringComparison.Ordinal);
            Assert.Contains("n3", message, StringComparison.Ordinal);
            Assert.All(await InFlightAsync(http), n => Assert.Equal(0, n));
        }
        finally
        {
            await front.StopAsync(CancellationToken.None);
            await front.DisposeAsync();
            foreach (ServerProcess node in nodes)
            {
                await node.DisposeAsync();
            }

            Directory.Delete(home, recursive: true);
        }
    }

    /// <summary>The configuration switches of the README's scale-out command (<c>dotnet run … -- --Server:…</c>, continued over lines).</summary>
    private static string[] ReadmeSwitches()
    {
        string readme = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "README.md"));
        string section = readme[readme.IndexOf("### Scale-out", StringComparison.Ordinal)..];
        string command = section[section.IndexOf("dotnet run -c Release --project hosts/server --", StringComparison.Ordinal)..];
        command = command[..command.IndexOf("\ncurl ", StringComparison.Ordinal)].Replace("\\\n", " ", StringComparison.Ordinal);
        string[] switches = [.. command.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(a => a.StartsWith("--Server:", StringComparison.Ordinal))];
        Assert.Contains("--Server:Backends:n3:Kind=ollama", switches);
        return switches;
    }

    private static async Task<(int Status, JsonElement Body)> PostAsync(HttpClient http, string prompt)
    {
        using HttpResponseMessage response = await http.PostAsJsonAsync(
            "/v1/chat/completions", new { model = "story", messages = new[] { new { role = "user", content = prompt } }, max_tokens = 8 }, Ct);
        return ((int)response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>(Ct));
    }

    /// <summary>Streams an answer to its end; a stream the server breaks off counts as 502 (the client saw part of an answer).</summary>
    private static async Task<int> StreamAsync(HttpClient http, string prompt, int maxTokens)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = JsonContent.Create(new { model = "story", messages = new[] { new { role = "user", content = prompt } }, max_tokens = maxTokens, stream = true }),
        };
        using HttpResponseMessage response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        if (!response.IsSuccessStatusCode)
        {
            return (int)response.StatusCode;
        }

        try
        {
            string body = await response.Content.ReadAsStringAsync(Ct);
            return body.Contains("data: [DONE]", StringComparison.Ordinal) ? 200 : 502;
        }
        catch (HttpRequestException)
        {
            return 502;
        }
        catch (IOException)
        {
            return 502;
        }
    }

    private static async Task<JsonElement[]> BackendsAsync(HttpClient http)
    {
        using JsonDocument listing = JsonDocument.Parse(await http.GetStringAsync("/v1/backends", Ct));
        return [.. listing.RootElement.GetProperty("data").EnumerateArray().Select(b => b.Clone())];
    }

    private static async Task<Dictionary<string, long>> RequestsAsync(HttpClient http) =>
        (await BackendsAsync(http)).ToDictionary(b => b.GetProperty("name").GetString()!, b => b.GetProperty("requests").GetInt64());

    private static async Task<int[]> InFlightAsync(HttpClient http) => [.. (await BackendsAsync(http)).Select(b => b.GetProperty("in_flight").GetInt32())];

    private static async Task<string?> StatusAsync(HttpClient http, string backend) =>
        (await BackendsAsync(http)).Single(b => b.GetProperty("name").GetString() == backend).GetProperty("status").GetString();

    private static async Task Eventually(Func<Task<bool>> condition)
    {
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "not within 30 s");
            await Task.Delay(100, Ct);
        }
    }
}
