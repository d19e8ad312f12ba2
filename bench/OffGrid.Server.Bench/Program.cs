// End-to-end generation throughput over HTTP (OpenAI streaming API of the OffGrid server) against the in-process
// LlamaChatClient on the same model and engine settings: 1, 4 and 8 concurrent streams.
// Usage: dotnet run -c Release -- [stories|generated|<path.gguf>] [output tokens] [runs]
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OffGrid.Inference.Pooling;
using OffGrid.Inference.Runtime;
using OffGrid.Server;
using OffGrid.Testing;
using OffGrid.Testing.Gguf;
using OffGrid.Testing.Models;

string which = args.Length > 0 ? args[0] : "stories";
int outputTokens = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 128;
int runs = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3;
int[] streamCounts = [1, 4, 8];

string modelPath = which switch
{
    "stories" => TestPaths.Stories260K,
    // ~100M parameters in realistic proportions (Q8_0): random weights, so generation never stops early.
    "generated" => TestLlamaModels.GetOrCreate(new TestLlamaModelSpec
    {
        EmbeddingLength = 768, BlockCount = 12, HeadCount = 12, HeadCountKv = 4, FeedForwardLength = 2048, VocabularySize = 32000,
        ContextLength = 2048, WeightType = GgufTensorType.Q8_0, Seed = 11,
    }),
    _ => which,
};

void ConfigurePool(LlamaModelPoolOptions pool)
{
    pool.Runtime = new LlamaRuntimeOptions { InstallDirectory = Path.Combine(TestPaths.CacheDir, "runtime"), Variant = LlamaRuntimeVariant.Cpu };
    pool.Engine.ParallelSequences = streamCounts.Max();
    pool.Engine.ContextSize = Math.Max(512, outputTokens + 128);
    pool.KeepAlive = TimeSpan.FromSeconds(-1);
}

const string Prompt = "Once upon a time";
var chatOptions = new ChatOptions { Temperature = 0, MaxOutputTokens = outputTokens };

// In-process: the library the server is built on.
var inProcess = new Dictionary<int, double>();
var poolOptions = new LlamaModelPoolOptions();
ConfigurePool(poolOptions);
using (var pool = new LlamaModelPool(poolOptions))
using (LlamaModelLease lease = await pool.AcquireAsync(modelPath))
{
    Console.WriteLine($"Model: {lease.Model.Id} ({lease.Model.Description}), {lease.Model.ParameterCount / 1e6:0.#}M parameters, threads {LlamaRuntime.Current?.Hardware.DefaultThreadCount}");
    async Task<int> OneInProcessAsync()
    {
        int tokens = 0;
        await foreach (ChatResponseUpdate update in lease.ChatClient.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, Prompt)], chatOptions))
        {
            tokens += (int)(update.Contents.OfType<UsageContent>().FirstOrDefault()?.Details.OutputTokenCount ?? 0);
        }

        return tokens;
    }

    foreach (int streams in streamCounts)
    {
        inProcess[streams] = await MeasureAsync(streams, OneInProcessAsync);
    }
}

// Over HTTP: the same engine settings behind Kestrel on loopback, read as server-sent events.
var overHttp = new Dictionary<int, double>();
await using (WebApplication app = OffGridServer.Build(["--Logging:LogLevel:Default=Warning"], o =>
{
    o.Port = 0;
    o.Models["bench"] = modelPath;
    o.Preload = ["bench"];
    ConfigurePool(o.Pool);
}))
{
    await app.StartAsync();
    using var http = new HttpClient { BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()), Timeout = TimeSpan.FromMinutes(10) };
    while (!(await http.GetAsync("/health")).IsSuccessStatusCode)
    {
        await Task.Delay(100);
    }

    async Task<int> OneOverHttpAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = JsonContent.Create(new
            {
                model = "bench", messages = new[] { new { role = "user", content = Prompt } }, temperature = 0, max_tokens = outputTokens,
                stream = true, stream_options = new { include_usage = true },
            }),
        };
        using HttpResponseMessage response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        int tokens = 0;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("data: {", StringComparison.Ordinal) && line.Contains("\"usage\"", StringComparison.Ordinal))
            {
                tokens = JsonDocument.Parse(line[6..]).RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32();
            }
        }

        return tokens;
    }

    foreach (int streams in streamCounts)
    {
        overHttp[streams] = await MeasureAsync(streams, OneOverHttpAsync);
    }

    await app.StopAsync();
}

Console.WriteLine();
Console.WriteLine($"Model `{Path.GetFileName(modelPath)}`, {outputTokens} output tokens per stream, greedy, median of {runs} runs; aggregate tokens/s (end to end, prompt included).");
Console.WriteLine();
Console.WriteLine("| Streams | In-process tok/s | HTTP tok/s | HTTP / in-process | HTTP overhead per token |");
Console.WriteLine("|---:|---:|---:|---:|---:|");
foreach (int streams in streamCounts)
{
    double overheadMicroseconds = (1e6 / overHttp[streams]) - (1e6 / inProcess[streams]);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {streams} | {inProcess[streams]:0.0} | {overHttp[streams]:0.0} | {overHttp[streams] / inProcess[streams]:0.00}x | {overheadMicroseconds:0} µs |"));
}

// Runs `streams` generations at once, a warm-up first, and returns the median aggregate tokens per second.
async Task<double> MeasureAsync(int streams, Func<Task<int>> generate)
{
    await Task.WhenAll(Enumerable.Range(0, streams).Select(_ => generate()));
    var rates = new List<double>();
    for (int run = 0; run < runs; run++)
    {
        var stopwatch = Stopwatch.StartNew();
        int[] tokens = await Task.WhenAll(Enumerable.Range(0, streams).Select(_ => generate()));
        rates.Add(tokens.Sum() / stopwatch.Elapsed.TotalSeconds);
    }

    rates.Sort();
    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {streams} stream(s): {string.Join(", ", rates.Select(r => r.ToString("0.0", CultureInfo.InvariantCulture)))} tok/s"));
    return rates[rates.Count / 2];
}
