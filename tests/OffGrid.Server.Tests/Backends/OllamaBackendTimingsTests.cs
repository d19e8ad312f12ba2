using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using OffGrid.AspNetCore.Hosting;
using OffGrid.Testing;

namespace OffGrid.Server.Tests.Backends;

/// <summary>
/// Ollama's <c>load_duration</c> for a model served by a remote Ollama backend (here a real OffGrid server speaking Ollama's
/// API, which loads the model on the first request) is the backend's own figure, not 0.
/// </summary>
public sealed class OllamaBackendTimingsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task LoadDurationIsTheOllamaBackendsOwn()
    {
        WebApplication backend = OffGridWebApplication.Create([$"--Hub:HomeDirectory={TestPaths.NewTempDir("offgrid-ollama-backend")}"], options => ServerFixture.Configure(options, preload: []));
        await backend.StartAsync(Ct);
        WebApplication front = OffGridWebApplication.Create(
            [
                $"--Hub:HomeDirectory={TestPaths.NewTempDir("offgrid-ollama-front")}",
                "--Server:Backends:gpu:Kind=ollama",
                $"--Server:Backends:gpu:Endpoint={Address(backend)}",
                "--Server:Backends:gpu:Models:remote-tiny=tiny",
            ],
            options => ServerFixture.Configure(options, preload: []));
        try
        {
            await front.StartAsync(Ct);
            using var http = new HttpClient { BaseAddress = Address(front), Timeout = TimeSpan.FromMinutes(2) };

            // The first request loads the model on the backend: it reports the load, and the front passes it on.
            JsonElement first = await ChatAsync(http, stream: false);
            long load = first.GetProperty("load_duration").GetInt64();
            Assert.InRange(load, 1_000_000, first.GetProperty("total_duration").GetInt64()); // at least 1 ms, within the whole request

            // Streamed, the last object carries it too (the model is loaded now: the backend's wait for its pool).
            JsonElement last = await ChatAsync(http, stream: true);
            Assert.True(last.GetProperty("load_duration").GetInt64() > 0, last.ToString());
            Assert.True(last.GetProperty("load_duration").GetInt64() < load, last.ToString());
        }
        finally
        {
            await front.DisposeAsync();
            await backend.DisposeAsync();
        }
    }

    private static Uri Address(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");

    /// <summary>The answer's last object (the whole answer when not streamed).</summary>
    private static async Task<JsonElement> ChatAsync(HttpClient http, bool stream)
    {
        using HttpResponseMessage response = await http.PostAsJsonAsync("/api/chat", new
        {
            model = "remote-tiny",
            messages = new[] { new { role = "user", content = "hi" } },
            stream,
            options = new { num_predict = 2 },
        }, Ct);
        string body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]).RootElement;
    }
}
