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
using OffGrid.Inference.Pooling;
using OffGrid.Inference.Runtime;
using OffGrid.AspNetCore.Hosting;
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
    // ~100M parameters in realistic proportions (Q8_0; the synthetic vocabulary stays small): random weights, so
    // generation rarely stops early.
    "generated" => TestLlamaModels.GetOrCreate(new TestLlamaModelSpec
    {
        EmbeddingLength = 768, BlockCount = 12, HeadCount = 12, HeadCountKv = 4, FeedForwardLength = 3072, VocabularySize = 768,
        ContextLength = 2048, WeightType = GgufTensorType.Q8_0, Seed = 11,
    }),
    _ => which,
};

void ConfigurePool(LlamaModelPoolOptions pool)
{
    pool.Runtime = new LlamaRuntimeOptions { InstallDirectory = Path.Combine(TestPaths.CacheDir, "runtime"), Variant = LlamaRuntimeVariant.Cpu };
    pool.Engine.ParallelSequences = streamCounts.Max();
    pool.Engine.ContextSize = Math.Max(512, outputTokens + 128);

    // One thread: on a shared two-core machine ggml's spinning workers make multi-threaded figures mostly noise.
    pool.Engine.Threads = 1;
    pool.KeepAlive = TimeSpan.FromSeconds(-1);
}

const string Prompt = "Once upon a time";
var chatOptions = new ChatOptions { Temperature = 0, MaxOutputTokens = outputTokens };

// In-process (the library the server is built on) and over HTTP (the same engine settings behind Kestrel on
// loopback, read as server-sent events), both loaded at once so that runs can alternate: on a shared machine,
// load that drifts over time then hits both sides alike.
var poolOptions = new LlamaModelPoolOptions();
ConfigurePool(poolOptions);
using var pool = new LlamaModelPool(poolOptions);
using LlamaModelLease lease = await pool.AcquireAsync(modelPath);
Console.WriteLine($"Model: {lease.Model.Id} ({lease.Model.Description}), {lease.Model.ParameterCount / 1e6:0.#}M parameters, 1 engine thread");

await using WebApplication app = OffGridWebApplication.Create(["--Logging:LogLevel:Default=Warning"], o =>
{
    o.Port = 0;
    o.Models["bench"] = modelPath;
    o.Preload = ["bench"];
    ConfigurePool(o.Pool);
});
await app.StartAsync();
using var http = new HttpClient { BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()), Timeout = TimeSpan.FromMinutes(10) };
while (!(await http.GetAsync("/health")).IsSuccessStatusCode)
{
    await Task.Delay(100);
}

var inProcess = new Dictionary<int, double>();
var overHttp = new Dictionary<int, double>();
foreach (int streams in streamCounts)
{
    (inProcess[streams], overHttp[streams]) = await CompareAsync(streams);
}

await app.StopAsync();

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

// Runs `streams` generations at once on each side, a warm-up first, then alternating measured runs; returns the
// median aggregate tokens per second of each side.
async Task<(double InProcess, double OverHttp)> CompareAsync(int streams)
{
    await RunAsync(streams, GenerateInProcessAsync);
    await RunAsync(streams, GenerateOverHttpAsync);
    var local = new List<double>();
    var remote = new List<double>();
    for (int run = 0; run < runs; run++)
    {
        local.Add(await RunAsync(streams, GenerateInProcessAsync));
        remote.Add(await RunAsync(streams, GenerateOverHttpAsync));
    }

    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {streams} stream(s): in-process {string.Join(", ", local.Select(r => r.ToString("0.0", CultureInfo.InvariantCulture)))}; HTTP {string.Join(", ", remote.Select(r => r.ToString("0.0", CultureInfo.InvariantCulture)))} tok/s"));
    return (Median(local), Median(remote));
}

async Task<double> RunAsync(int streams, Func<Task<int>> generate)
{
    var stopwatch = Stopwatch.StartNew();
    int[] tokens = await Task.WhenAll(Enumerable.Range(0, streams).Select(_ => generate()));
    return tokens.Sum() / stopwatch.Elapsed.TotalSeconds;
}

static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

async Task<int> GenerateInProcessAsync()
{
    int tokens = 0;
    await foreach (ChatResponseUpdate update in lease.ChatClient.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, Prompt)], chatOptions))
    {
        tokens += (int)(update.Contents.OfType<UsageContent>().FirstOrDefault()?.Details.OutputTokenCount ?? 0);
    }

    return tokens;
}

async Task<int> GenerateOverHttpAsync()
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
