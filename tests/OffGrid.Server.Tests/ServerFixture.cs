using OffGrid.AspNetCore;
using OffGrid.AspNetCore.Hosting;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using OffGrid.Inference.Runtime;
using OffGrid.Testing;
using OffGrid.Testing.Gguf;
using OffGrid.Testing.HuggingFace;
using OffGrid.Testing.Models;

namespace OffGrid.Server.Tests;

/// <summary>
/// One real OffGrid server per test class: Kestrel on a free loopback port, the real llama.cpp runtime (installed into
/// the test cache by OffGrid's installer), stories260K and generated models, and a loopback Hugging Face hub for pulls.
/// </summary>
public sealed class ServerFixture : IAsyncLifetime
{
    /// <summary>A model big enough that a long generation takes seconds (for cancellation tests); random weights rarely end early.</summary>
    internal static readonly TestLlamaModelSpec SlowSpec = new()
    {
        EmbeddingLength = 512, BlockCount = 4, HeadCount = 8, HeadCountKv = 8, FeedForwardLength = 1024, WeightType = GgufTensorType.Q8_0, Seed = 7,
    };

    private readonly string _home = TestPaths.NewTempDir("offgrid-server");
    private WebApplication? _app;

    public const int ContextSize = 2048;

    public const long MaxBodyBytes = 64 * 1024;

    internal LoopbackHubServer Hub { get; } = LoopbackHubServer.Start();

    public Uri BaseUri { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public IServiceProvider Services => _app!.Services;

    public async ValueTask InitializeAsync()
    {
        Hub.AddRepo(new LoopbackModelRepo { Id = "ggml-org/models", Files = { ["tinyllamas/stories260K.gguf"] = TestPaths.Stories260K } });
        Hub.AddRepo(new LoopbackModelRepo { Id = "offgrid/tiny-GGUF", Downloads = 5, Files = { ["tiny-F32.gguf"] = TestLlamaModels.Tiny } });
        _app = OffGridWebApplication.Create(
            [$"--Hub:HomeDirectory={_home}", $"--Hub:HuggingFace:Endpoint={Hub.BaseUri}"],
            options => Configure(options, preload: ["stories"]));
        await _app.StartAsync(TestContext.Current.CancellationToken);
        BaseUri = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        Http = new HttpClient { BaseAddress = BaseUri, Timeout = TimeSpan.FromMinutes(2) };
        await WaitUntilHealthyAsync();
    }

    /// <summary>The settings every test server shares: loopback, free port, test runtime, small context.</summary>
    internal static void Configure(OffGridServerOptions options, IEnumerable<string> preload)
    {
        options.Host = "127.0.0.1";
        options.Port = 0;
        options.MaxRequestBodyBytes = MaxBodyBytes;
        options.ShutdownTimeout = TimeSpan.FromSeconds(2);
        options.Models["stories"] = TestPaths.Stories260K;
        options.Models["tiny"] = TestLlamaModels.Tiny;
        options.Models["slow"] = TestLlamaModels.GetOrCreate(SlowSpec);
        options.Preload = [.. preload];
        options.Pool.MaxLoadedModels = 3;
        options.Pool.Runtime = new LlamaRuntimeOptions { InstallDirectory = Path.Combine(TestPaths.CacheDir, "runtime"), Variant = LlamaRuntimeVariant.Cpu };
        options.Pool.Engine.ParallelSequences = 4;
        options.Pool.Engine.ContextSize = ContextSize;

        // One thread per context: several test servers share two cores, and ggml's worker threads spin while waiting.
        options.Pool.Engine.Threads = 1;
        options.Pool.Embeddings.Threads = 1;
    }

    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        await Hub.DisposeAsync();
        Directory.Delete(_home, recursive: true);
    }

    /// <summary>POSTs a JSON body and parses the JSON answer (whatever the status).</summary>
    public async Task<(int Status, JsonElement Body)> PostJsonAsync(string path, object body)
    {
        using HttpResponseMessage response = await Http.PostAsJsonAsync(path, body, TestContext.Current.CancellationToken);
        string text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return ((int)response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>GETs a path and parses the JSON answer.</summary>
    public async Task<(int Status, JsonElement Body)> GetJsonAsync(string path)
    {
        using HttpResponseMessage response = await Http.GetAsync(path, TestContext.Current.CancellationToken);
        string text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return ((int)response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>POSTs a JSON body, checks for a 200 streamed as <paramref name="mediaType"/>, and reads every non-empty line.</summary>
    public async Task<List<string>> PostStreamAsync(string path, object body, string mediaType)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        using HttpResponseMessage response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken));
        var lines = new List<string>();
        while (await reader.ReadLineAsync(TestContext.Current.CancellationToken) is { } line)
        {
            if (line.Length > 0)
            {
                lines.Add(line);
            }
        }

        return lines;
    }

    private async Task WaitUntilHealthyAsync()
    {
        for (int i = 0; i < 600; i++)
        {
            using HttpResponseMessage health = await Http.GetAsync("/health", TestContext.Current.CancellationToken);
            if (health.IsSuccessStatusCode)
            {
                return;
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        throw new TimeoutException("The test server did not become healthy within a minute.");
    }
}
