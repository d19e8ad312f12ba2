using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.AI;
using OffGrid.Agents;
using OffGrid.Agents.Runs;
using OffGrid.Agents.Templates;
using OffGrid.Inference.Chat;
using OffGrid.Inference.Engine;
using OffGrid.Inference.Models;
using OffGrid.Testing;
using OffGrid.Testing.Gguf;
using OffGrid.Testing.LlamaCpp;
using OffGrid.Testing.Models;

// The agent loop's cost per step over a bare chat call on the same engine, prompt and output: one step of a single-agent
// run (ChatClientAgent, tool invocation, step events stored in SQLite, a background task) against the pipeline's own
// streaming call. Greedy decoding makes both paths generate the same tokens.
// Usage: [tiny|medium] [iterations] [max-output-tokens]. tiny: the tests' Qwen-template model (~0.1M parameters, a step takes
// milliseconds, so it shows the absolute cost); medium: the same template on ~100M random Q8_0 weights, a step the length
// of a small real model's.
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
string size = args.Length > 0 ? args[0] : "medium";
int iterations = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10;
int maxTokens = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 64;
string path = size switch
{
    "tiny" => TemplateModels.Qwen,
    "medium" => TestLlamaModels.GetOrCreate(TemplateModels.QwenSpec with { EmbeddingLength = 1024, BlockCount = 8, HeadCount = 16, HeadCountKv = 4, FeedForwardLength = 4096, WeightType = GgufTensorType.Q8_0 }),
    _ => throw new ArgumentException($"Unknown size '{size}'; use tiny or medium."),
};

await TestLlamaRuntime.EnsureLoadedAsync();
using LlamaModel model = await LlamaModel.LoadAsync(path);
using var engine = new LlamaEngine(model, new LlamaEngineOptions { ParallelSequences = 1, ContextSize = 2048, Threads = 1 });
using IChatClient chat = new LlamaChatClient(engine);

string home = TestPaths.NewTempDir("offgrid-agents-bench");
var options = new AgentOptions { HomeDirectory = home };
var templates = new AgentTemplates(options);
var template = new AgentTemplate { Name = "bench", Instructions = "Answer briefly.", ToolMode = AgentToolMode.None, Temperature = 0, MaxOutputTokens = maxTokens };
await templates.SaveAsync(template);
await using var runs = new AgentRuns(options, templates);
const string Task = "Name three colours of the sea.";

async Task<(double Ms, long Tokens)> BareAsync()
{
    long start = Stopwatch.GetTimestamp();
    long tokens = 0;
    var chatOptions = new ChatOptions { Instructions = template.Instructions, Temperature = 0, MaxOutputTokens = maxTokens, ToolMode = ChatToolMode.None };
    await foreach (ChatResponseUpdate update in chat.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, Task)], chatOptions))
    {
        tokens += update.Contents.OfType<UsageContent>().Sum(u => u.Details.OutputTokenCount ?? 0);
    }

    return (Stopwatch.GetElapsedTime(start).TotalMilliseconds, tokens);
}

async Task<(double Ms, long Tokens)> AgentAsync()
{
    long start = Stopwatch.GetTimestamp();
    AgentRunInfo run = await runs.StartAsync(new AgentRunRequest { Task = Task, Agents = ["bench"] }, chat);
    run = await runs.WaitAsync(run.Id);
    if (run.Status != AgentRunStatus.Completed)
    {
        throw new InvalidOperationException($"The run ended {run.Status}: {run.Error}");
    }

    return (Stopwatch.GetElapsedTime(start).TotalMilliseconds, run.OutputTokens);
}

await BareAsync();
await AgentAsync();
var bare = new List<double>();
var agent = new List<double>();
long bareTokens = 0, agentTokens = 0;
for (int i = 0; i < iterations; i++)
{
    // Alternating, so that drift in machine load hits both paths alike.
    (double ms, bareTokens) = await BareAsync();
    bare.Add(ms);
    (ms, agentTokens) = await AgentAsync();
    agent.Add(ms);
}

static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
double overhead = (Median(agent) - Median(bare)) / Median(bare);
Console.WriteLine($"OffGrid.Agents bench ({size} model), {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} logical cores, 1 llama.cpp thread, {iterations} iterations");
Console.WriteLine();
Console.WriteLine("| Path | Output tokens | Median ms per step | Overhead |");
Console.WriteLine("|---|---:|---:|---:|");
Console.WriteLine($"| Bare streaming chat call (pipeline) | {bareTokens} | {Median(bare):F1} | |");
Console.WriteLine($"| Agent run, 1 step (ChatClientAgent + SQLite transcript) | {agentTokens} | {Median(agent):F1} | {overhead * 100:F1} % ({Median(agent) - Median(bare):F1} ms) |");
Console.WriteLine();
Console.WriteLine(overhead < 0.05 ? "Target < 5 %: met." : "Target < 5 %: NOT met.");
Directory.Delete(home, recursive: true);
return 0;
