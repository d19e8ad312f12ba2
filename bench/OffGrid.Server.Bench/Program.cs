// End-to-end generation throughput over HTTP (OpenAI streaming API of the OffGrid server) against the in-process
// LlamaChatClient on the same model and engine settings: 1, 4 and 8 concurrent streams. With --governance, the server
// with governance off (AddOffGridServer and MapOpenAi, nothing else) against the whole server in multi-user mode (API key
// authentication, UseAudit and UseQuotas in the pipeline, one audit entry per request): 1 and 8 streams.
// Usage: dotnet run -c Release -- [stories|generated|<path.gguf>] [output tokens] [runs] [--governance]
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OffGrid.AspNetCore;
using OffGrid.AspNetCore.Hosting;
using OffGrid.Governance.ApiKeys;
using OffGrid.Governance.Audit;
using OffGrid.Governance.Identity;
using OffGrid.Governance.Quotas;
using OffGrid.Governance.Users;
using OffGrid.Inference.Pooling;
using OffGrid.Inference.Runtime;
using OffGrid.Testing;
using OffGrid.Testing.Gguf;
using OffGrid.Testing.Models;

bool governance = args.Contains("--governance");
string[] positional = [.. args.Where(a => !a.StartsWith("--", StringComparison.Ordinal))];
string which = positional.Length > 0 ? positional[0] : "stories";
int outputTokens = positional.Length > 1 ? int.Parse(positional[1], CultureInfo.InvariantCulture) : 128;
int runs = positional.Length > 2 ? int.Parse(positional[2], CultureInfo.InvariantCulture) : 3;
int[] streamCounts = governance ? [1, 8] : [1, 4, 8];

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

if (governance)
{
    await CompareGovernanceAsync();
    return;
}

// In-process (the library the server is built on) and over HTTP (the same engine settings behind Kestrel on
// loopback, read as server-sent events), both loaded at once so that runs can alternate: on a shared machine,
// load that drifts over time then hits both sides alike.
var poolOptions = new LlamaModelPoolOptions();
ConfigurePool(poolOptions);
using var pool = new LlamaModelPool(poolOptions);
using LlamaModelLease lease = await pool.AcquireAsync(modelPath);
Console.WriteLine($"Model: {lease.Model.Id} ({lease.Model.Description}), {lease.Model.ParameterCount / 1e6:0.#}M parameters, 1 engine thread");

// The server as shipped (single-user mode: its audit log and usage go to a throwaway home).
string serverHome = Path.Combine(Path.GetTempPath(), "offgrid-bench-server-" + Guid.NewGuid().ToString("N"));
await using WebApplication app = OffGridWebApplication.Create(["--Logging:LogLevel:Default=Warning", $"--Hub:HomeDirectory={serverHome}"], o =>
{
    o.Port = 0;
    o.Models["bench"] = modelPath;
    o.Preload = ["bench"];
    ConfigurePool(o.Pool);
});
await app.StartAsync();
using HttpClient http = await ReadyClientAsync(app, key: null);

var inProcess = new Dictionary<int, double>();
var overHttp = new Dictionary<int, double>();
foreach (int streams in streamCounts)
{
    (inProcess[streams], overHttp[streams]) = await CompareAsync(streams);
}

await app.StopAsync();
Directory.Delete(serverHome, recursive: true);

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

async Task<(double InProcess, double OverHttp)> CompareAsync(int streams)
{
    (double inProcess, double overHttp, _) = await AlternateAsync(streams, GenerateInProcessAsync, GenerateOverHttpAsync, "in-process", "HTTP");
    return (inProcess, overHttp);
}

// Runs `streams` generations at once on each side, a warm-up first, then alternating measured runs (the first side
// first in even runs, second in odd ones); returns the median aggregate tokens per second of each side, and the median
// of second/first over the adjacent pairs (on a loaded machine, load that drifts between pairs cancels out of it).
async Task<(double First, double Second, double PairedRatio)> AlternateAsync(int streams, Func<Task<int>> first, Func<Task<int>> second, string firstName, string secondName)
{
    await RunAsync(streams, first);
    await RunAsync(streams, second);
    var a = new List<double>();
    var b = new List<double>();
    for (int run = 0; run < runs; run++)
    {
        if (run % 2 == 0)
        {
            a.Add(await RunAsync(streams, first));
            b.Add(await RunAsync(streams, second));
        }
        else
        {
            b.Add(await RunAsync(streams, second));
            a.Add(await RunAsync(streams, first));
        }
    }

    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {streams} stream(s): {firstName} {string.Join(", ", a.Select(r => r.ToString("0.0", CultureInfo.InvariantCulture)))}; {secondName} {string.Join(", ", b.Select(r => r.ToString("0.0", CultureInfo.InvariantCulture)))} tok/s"));
    return (Median(a), Median(b), Median([.. a.Zip(b, (x, y) => y / x)]));
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

Task<int> GenerateOverHttpAsync() => GenerateAsync(http);

// Governance off and on, both over HTTP on loopback, loaded at once so that runs alternate.
async Task CompareGovernanceAsync()
{
    string home = Path.Combine(Path.GetTempPath(), "offgrid-bench-governance-" + Guid.NewGuid().ToString("N"));
    try
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.AddFilter(_ => false);
        builder.Services.AddOffGridServer(o =>
        {
            o.Models["bench"] = modelPath;
            o.Preload = ["bench"];
            ConfigurePool(o.Pool);
        }).ConfigureChatClients((pipeline, _) => pipeline.UseOpenTelemetry(sourceName: OffGridServerTelemetry.SourceName));
        await using WebApplication off = builder.Build();
        off.MapOpenAi();
        off.MapOffGridHealth();

        await using WebApplication on = OffGridWebApplication.Create(
            ["--Logging:LogLevel:Default=Warning", "--Server:Auth:Mode=MultiUser", $"--Hub:HomeDirectory={home}"],
            o =>
            {
                o.Port = 0;
                o.Models["bench"] = modelPath;
                o.Preload = ["bench"];
                ConfigurePool(o.Pool);
            });
        await on.Services.GetRequiredService<UserDirectory>().AddAsync("bench", UserRole.User);
        string key = (await on.Services.GetRequiredService<ApiKeyStore>().CreateAsync("bench")).Secret;

        // Limits high enough never to refuse, so that every call takes the counting path.
        await on.Services.GetRequiredService<QuotaService>().SetRoleLimitsAsync(
            UserRole.User, new QuotaLimits { TokensPerDay = 1_000_000_000, RequestsPerMinute = 100_000, ConcurrentRequests = 64 });

        await MeasurePiecesAsync(on.Services, key);
        await off.StartAsync();
        await on.StartAsync();
        using HttpClient offHttp = await ReadyClientAsync(off, key: null);
        using HttpClient onHttp = await ReadyClientAsync(on, key);
        Console.WriteLine($"Model: {Path.GetFileName(modelPath)}, 1 engine thread per server; off: AddOffGridServer + MapOpenAi; on: OffGridWebApplication in multi-user mode with an API key");

        var offResults = new Dictionary<int, double>();
        var onResults = new Dictionary<int, double>();
        var pairedRatios = new Dictionary<int, double>();
        foreach (int streams in streamCounts)
        {
            (offResults[streams], onResults[streams], pairedRatios[streams]) = await AlternateAsync(streams, () => GenerateAsync(offHttp), () => GenerateAsync(onHttp), "off", "on");
        }

        await off.StopAsync();
        await on.StopAsync();
        Console.WriteLine();
        Console.WriteLine($"Model `{Path.GetFileName(modelPath)}`, {outputTokens} output tokens per stream, greedy, median of {runs} alternating runs; aggregate tokens/s over HTTP (end to end, prompt included).");
        Console.WriteLine();
        Console.WriteLine("| Streams | Governance off tok/s | Auth + quotas + audit tok/s | on / off (medians) | on / off (median of adjacent pairs) | Added wall time per run |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|");
        foreach (int streams in streamCounts)
        {
            double costMilliseconds = streams * outputTokens * ((1e3 / onResults[streams]) - (1e3 / offResults[streams]));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {streams} | {offResults[streams]:0.0} | {onResults[streams]:0.0} | {onResults[streams] / offResults[streams]:0.000}x | {pairedRatios[streams]:0.000}x | {costMilliseconds:0.0} ms |"));
        }
    }
    finally
    {
        if (Directory.Exists(home))
        {
            Directory.Delete(home, recursive: true);
        }
    }
}

// Where governance's fixed cost per request goes: the three storage operations every governed model call makes.
async Task MeasurePiecesAsync(IServiceProvider services, string key)
{
    const int Iterations = 200;
    ApiKeyStore keys = services.GetRequiredService<ApiKeyStore>();
    QuotaService quotas = services.GetRequiredService<QuotaService>();
    AuditLog audit = services.GetRequiredService<AuditLog>();
    var caller = new Caller("bench");
    var pieces = new (string Name, Func<Task> Run)[]
    {
        ("API key check (SQLite read)", () => keys.ValidateAsync(key)),
        ("quota admit + release (SQLite reads, one usage write)", async () => { await using QuotaLease lease = await quotas.AcquireAsync(caller, "bench"); lease.AddUsage(10, 128); }),
        ("audit append (sealed, flushed to disk)", () => audit.AppendAsync(new AuditEvent { Route = "/bench", Status = 200, UserName = "bench" })),
    };
    Console.WriteLine();
    Console.WriteLine($"| Per request ({Iterations} sequential calls) | median µs | p90 µs |");
    Console.WriteLine("|---|---:|---:|");
    foreach ((string name, Func<Task> run) in pieces)
    {
        var times = new List<double>();
        for (int i = 0; i < Iterations; i++)
        {
            long started = Stopwatch.GetTimestamp();
            await run();
            times.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
        }

        times.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {times[Iterations / 2]:0} | {times[Iterations * 9 / 10]:0} |"));
    }

    Console.WriteLine();
}

async Task<HttpClient> ReadyClientAsync(WebApplication app, string? key)
{
    var client = new HttpClient
    {
        BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()),
        Timeout = TimeSpan.FromMinutes(10),
    };
    if (key is not null)
    {
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
    }

    while (!(await client.GetAsync("/health")).IsSuccessStatusCode)
    {
        await Task.Delay(100);
    }

    return client;
}

async Task<int> GenerateAsync(HttpClient client)
{
    using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
    {
        Content = JsonContent.Create(new
        {
            model = "bench", messages = new[] { new { role = "user", content = Prompt } }, temperature = 0, max_tokens = outputTokens,
            stream = true, stream_options = new { include_usage = true },
        }),
    };
    using HttpResponseMessage response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
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
