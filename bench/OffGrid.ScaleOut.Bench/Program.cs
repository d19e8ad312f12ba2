// The balancer against real offgrid-server backend processes (llama.cpp, one engine thread each):
// 1. throughput and latency of short chat requests sent directly to one backend, and through an OffGrid front server
//    balancing over 1, 2 and 3 backends (LeastRequests); the difference to direct is the balancer's cost per request;
// 2. time to first token of follow-up turns of long conversations over 3 backends (RoundRobin), with prefix affinity on
//    and off: on, a turn goes back to the backend whose KV cache holds the conversation.
// 3. `sim [backends] [clients] [requests] [strategy] [probe seconds]`: the balancer over a hundred in-process backends that
//    answer instantly (no engines): cost per request, spread, and health-probe traffic per backend (see Simulation.cs).
// 4. `isolation [runs] [tokens]`: the per-token cost of Server:Isolation=Process, in-process vs through the model worker (Isolation.cs).
// With `--llama-server` first, the backends are llama.cpp's own llama-server processes (LlamaServerProcess.cs: three for
// stories260K, three for the conversation model) reached as `openai` backends, instead of offgrid-server processes.
// Usage: dotnet run -c Release -- [--llama-server] [requests per client] [clients] [runs] [conversation runs]
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using OffGrid.AspNetCore.Hosting;
using OffGrid.Inference.Runtime;
using OffGrid.Server.Tests.Backends;
using OffGrid.Testing;
using OffGrid.Testing.Gguf;
using OffGrid.Testing.Models;

if (args is ["isolation", ..])
{
    await Isolation.RunAsync(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 6, args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 2000);
    return;
}

if (args is ["sim", ..])
{
    int Arg(int i, int fallback) => args.Length > i ? int.Parse(args[i], CultureInfo.InvariantCulture) : fallback;
    await Simulation.RunAsync(Arg(1, 100), Arg(2, 4), Arg(3, 500), args.Length > 4 ? args[4] : "PowerOfTwoChoices", TimeSpan.FromSeconds(Arg(5, 30)));
    return;
}

bool llamaServer = args is ["--llama-server", ..];
args = llamaServer ? args[1..] : args;
int requestsPerClient = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 50;
int clients = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 4;
int runs = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 5;
int conversationRuns = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 3;

// A ~10M-parameter model (random weights): prompt processing takes long enough that a cached prefix shows.
string conversationModel = TestLlamaModels.GetOrCreate(new TestLlamaModelSpec
{
    EmbeddingLength = 512, BlockCount = 4, HeadCount = 8, HeadCountKv = 8, FeedForwardLength = 1024, WeightType = GgufTensorType.Q8_0, Seed = 7,
});
var models = new Dictionary<string, string> { ["story"] = TestPaths.Stories260K, ["talk"] = conversationModel };
var processes = new List<IAsyncDisposable>();
(string Kind, Uri Endpoint)[] storyBackends, talkBackends;
Uri directRoot;
if (llamaServer)
{
    Console.Error.WriteLine($"Starting 6 llama-server processes ({LlamaServerProcess.Binary})…");
    LlamaServerProcess[] story = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => LlamaServerProcess.StartAsync(TestPaths.Stories260K, "story", 2048)));
    LlamaServerProcess[] talk = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => LlamaServerProcess.StartAsync(conversationModel, "talk", 2048)));
    processes.AddRange([.. story, .. talk]);
    storyBackends = [.. story.Select(p => ("openai", new Uri(p.BaseUri, "v1")))];
    talkBackends = [.. talk.Select(p => ("openai", new Uri(p.BaseUri, "v1")))];
    directRoot = story[0].BaseUri;
}
else
{
    Console.Error.WriteLine("Starting 3 backend processes…");
    ServerProcess[] nodes = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ =>
        ServerProcess.StartAsync(models, CancellationToken.None, "--Server:Pool:Engine:ContextSize=2048", "--Server:Pool:Engine:ParallelSequences=4", "--Server:Preload:0=story", "--Server:Preload:1=talk")));
    processes.AddRange(nodes);
    storyBackends = talkBackends = [.. nodes.Select(n => ("offgrid", n.BaseUri))];
    directRoot = nodes[0].BaseUri;
}

var fronts = new List<WebApplication>();
try
{
    HttpClient direct = Client(directRoot);
    HttpClient[] balanced = [.. await Task.WhenAll(Enumerable.Range(1, 3).Select(n => FrontAsync(storyBackends.Take(n), "LeastRequests", affinity: false)))];

    // 1. Throughput.
    string[] targets = ["direct", "1 backend", "2 backends", "3 backends"];
    HttpClient[] targetClients = [direct, .. balanced];
    var rates = targets.ToDictionary(t => t, _ => new List<double>());
    var latencies = targets.ToDictionary(t => t, _ => new List<double>());
    for (int i = 0; i < targets.Length; i++)
    {
        await LoadAsync(targetClients[i], clients, requestsPerClient); // warm-up
    }

    for (int run = 0; run < runs; run++)
    {
        // Alternating targets within each run: load that drifts over time hits them alike.
        for (int i = 0; i < targets.Length; i++)
        {
            (double rate, double latency) = await LoadAsync(targetClients[i], clients, requestsPerClient);
            rates[targets[i]].Add(rate);
            latencies[targets[i]].Add(latency);
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  run {run + 1} {targets[i]}: {rate:0.0} req/s, {latency:0.0} ms"));
        }
    }

    Console.WriteLine();
    Console.WriteLine($"Short chat requests (stories260K, max_tokens 8), {clients} clients × {requestsPerClient} requests, median of {runs} runs:");
    Console.WriteLine();
    Console.WriteLine("| Target | Requests/s | Mean latency (ms) | vs direct |");
    Console.WriteLine("|---|---:|---:|---:|");
    double directLatency = Median(latencies["direct"]);
    foreach (string target in targets)
    {
        double latency = Median(latencies[target]);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {target} | {Median(rates[target]):0.0} | {latency:0.0} | {(target == "direct" ? "—" : $"{latency - directLatency:+0.0;-0.0} ms")} |"));
    }

    // 2. Prefix affinity.
    HttpClient affine = await FrontAsync(talkBackends, "RoundRobin", affinity: true);
    HttpClient spread = await FrontAsync(talkBackends, "RoundRobin", affinity: false);
    var withAffinity = new List<(double Ms, int Prompt, int Cached)>();
    var without = new List<(double Ms, int Prompt, int Cached)>();
    for (int run = 0; run < conversationRuns; run++)
    {
        withAffinity.AddRange(await ConversationsAsync(affine, $"a{run}"));
        without.AddRange(await ConversationsAsync(spread, $"s{run}"));
    }

    Console.WriteLine();
    Console.WriteLine($"Follow-up turns of 4 conversations × 4 turns (~1,100-token first message, 10M-parameter model, 3 backends, RoundRobin), {conversationRuns} runs; time to first token (max_tokens 1):");
    Console.WriteLine();
    Console.WriteLine("| Prefix affinity | Median (ms) | Mean (ms) | Turns | Prompt tokens | From the KV cache |");
    Console.WriteLine("|---|---:|---:|---:|---:|---:|");
    foreach ((string label, List<(double Ms, int Prompt, int Cached)> turns) in new[] { ("on", withAffinity), ("off", without) })
    {
        int prompt = turns.Sum(t => t.Prompt);
        int cached = turns.Sum(t => t.Cached);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {label} | {Median([.. turns.Select(t => t.Ms)]):0} | {turns.Average(t => t.Ms):0} | {turns.Count} | {prompt} | {cached} ({100.0 * cached / Math.Max(1, prompt):0}%) |"));
    }
}
finally
{
    foreach (WebApplication front in fronts)
    {
        await front.StopAsync();
        await front.DisposeAsync();
    }

    foreach (IAsyncDisposable process in processes)
    {
        await process.DisposeAsync();
    }
}

async Task<HttpClient> FrontAsync(IEnumerable<(string Kind, Uri Endpoint)> backends, string strategy, bool affinity)
{
    string[] settings =
    [
        "--Logging:LogLevel:Default=Warning",
        $"--Hub:HomeDirectory={TestPaths.NewTempDir("offgrid-scaleout-front")}",
        $"--Server:Balancing:Strategy={strategy}",
        $"--Server:Balancing:PrefixAffinity={affinity}",
        .. backends.SelectMany((node, i) => new[] { $"--Server:Backends:n{i + 1}:Kind={node.Kind}", $"--Server:Backends:n{i + 1}:Endpoint={node.Endpoint}" }),
    ];
    WebApplication app = OffGridWebApplication.Create(settings, o =>
    {
        o.Host = "127.0.0.1";
        o.Port = 0;
        o.Pool.Runtime = new LlamaRuntimeOptions { InstallDirectory = Path.Combine(TestPaths.CacheDir, "runtime"), Variant = LlamaRuntimeVariant.Cpu };
    });
    await app.StartAsync();
    fronts.Add(app);
    return Client(new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()));
}

static HttpClient Client(Uri baseUri) => new() { BaseAddress = baseUri, Timeout = TimeSpan.FromMinutes(5) };

// `clients` clients each send `requests` requests one after another; returns requests per second and mean latency (ms).
static async Task<(double Rate, double LatencyMs)> LoadAsync(HttpClient http, int clients, int requests)
{
    var total = Stopwatch.StartNew();
    double[][] latencies = await Task.WhenAll(Enumerable.Range(0, clients).Select(async client =>
    {
        var mine = new double[requests];
        for (int i = 0; i < requests; i++)
        {
            long started = Stopwatch.GetTimestamp();
            using HttpResponseMessage response = await http.PostAsJsonAsync("/v1/chat/completions", new
            {
                model = "story", messages = new[] { new { role = "user", content = $"Once upon a time {client} {i}" } }, max_tokens = 8, temperature = 0,
            });
            response.EnsureSuccessStatusCode();
            mine[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        return mine;
    }));
    return (clients * requests / total.Elapsed.TotalSeconds, latencies.SelectMany(l => l).Average());
}

// Four conversations, four turns each, one request at a time; returns, for every turn after the first, its latency (ms),
// its prompt tokens and how many of them the backend had cached.
static async Task<List<(double Ms, int Prompt, int Cached)>> ConversationsAsync(HttpClient http, string tag)
{
    var random = new Random(tag.GetHashCode(StringComparison.Ordinal));
    string[] words = ["the", "little", "dog", "ran", "over", "a", "green", "hill", "and", "saw", "bird", "sing", "under", "tree", "sun"];
    var conversations = Enumerable.Range(0, 4).Select(i => new List<object>
    {
        new { role = "user", content = $"{tag}-{i}: " + string.Join(' ', Enumerable.Range(0, 230).Select(_ => words[random.Next(words.Length)])) },
    }).ToList();
    var followUps = new List<(double Ms, int Prompt, int Cached)>();
    for (int turn = 0; turn < 4; turn++)
    {
        foreach (List<object> conversation in conversations)
        {
            long started = Stopwatch.GetTimestamp();
            using HttpResponseMessage response = await http.PostAsJsonAsync("/v1/chat/completions", new { model = "talk", messages = conversation, max_tokens = 1, temperature = 0 });
            response.EnsureSuccessStatusCode();
            double elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            System.Text.Json.JsonElement body = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
            System.Text.Json.JsonElement usage = body.GetProperty("usage");
            if (turn > 0)
            {
                int cached = usage.TryGetProperty("prompt_tokens_details", out System.Text.Json.JsonElement details) && details.TryGetProperty("cached_tokens", out System.Text.Json.JsonElement count) ? count.GetInt32() : 0;
                followUps.Add((elapsed, usage.GetProperty("prompt_tokens").GetInt32(), cached));
            }

            string answer = body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString() ?? string.Empty;
            conversation.Add(new { role = "assistant", content = answer });
            conversation.Add(new { role = "user", content = $"and then {turn}?" });
        }
    }

    return followUps;
}

static double Median(List<double> values)
{
    double[] sorted = [.. values.Order()];
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
}
