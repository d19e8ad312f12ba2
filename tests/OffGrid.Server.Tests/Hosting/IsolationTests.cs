using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OffGrid.Server.Tests.Backends;
using OffGrid.Testing;
using OffGrid.Testing.Models;
using OllamaSharp;
using OllamaSharp.Models;

namespace OffGrid.Server.Tests.Hosting;

/// <summary>
/// <c>Server:Isolation=Process</c> with real processes: the server runs its local models in a worker process; killing the
/// worker (SIGKILL, as a native crash ends it) mid-answer fails that answer with a clear error, the server stays up, the
/// worker is started again and the next request is answered.
/// </summary>
public sealed class IsolationTests
{
    // Greedy decoding of these random weights after the prompt "q" runs to max_tokens (3,500 tokens, seconds of streaming)
    // without reaching the end token, so the answer is still streaming when the worker is killed.
    private static readonly TestLlamaModelSpec s_slow = new() { EmbeddingLength = 256, BlockCount = 4, FeedForwardLength = 1024, ContextLength = 4096, Seed = 7 };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AKilledWorkerFailsOnlyTheAnswerInFlightAndIsRestarted()
    {
        var models = new Dictionary<string, string> { ["slow"] = TestLlamaModels.GetOrCreate(s_slow), ["story"] = TestPaths.Stories260K };
        await using ServerProcess server = await ServerProcess.StartAsync(models, Ct, "--Server:Isolation=Process", "--Server:Pool:Engine:ContextSize=4096", "--Server:Pool:Engine:ParallelSequences=1");
        using var http = new HttpClient { BaseAddress = server.BaseUri, Timeout = TimeSpan.FromMinutes(2) };
        int worker = WorkerOf(server.ProcessId);

        // Served by the worker: the model is loaded there, not in the server.
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(http, "story", stream: false)).StatusCode);
        Assert.Equal(worker, WorkerOf(server.ProcessId));

        using HttpResponseMessage streaming = await PostAsync(http, "slow", stream: true);
        Assert.Equal(HttpStatusCode.OK, streaming.StatusCode);
        using var reader = new StreamReader(await streaming.Content.ReadAsStreamAsync(Ct), Encoding.UTF8);
        string? line;
        while ((line = await reader.ReadLineAsync(Ct)) is not null && !line.StartsWith("data: {", StringComparison.Ordinal))
        {
        }

        Assert.NotNull(line); // a first token arrived: the answer is in flight
        Kill(worker);
        string rest = await reader.ReadToEndAsync(Ct).WaitAsync(TimeSpan.FromMinutes(1), Ct);
        string[] errors = [.. rest.Split('\n').Where(l => l.StartsWith("data: {\"error\"", StringComparison.Ordinal))];
        Assert.True(errors.Length == 1, rest.Length > 2000 ? rest[^2000..] : rest);
        string error = errors[0];
        using (JsonDocument body = JsonDocument.Parse(error["data: ".Length..]))
        {
            string message = body.RootElement.GetProperty("error").GetProperty("message").GetString()!;
            Assert.Contains("model worker", message, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("\"finish_reason\":\"length\"", rest, StringComparison.Ordinal);
        Assert.True(server.IsRunning, server.Output);

        // The next request waits for the new worker and is answered; the server reports healthy again.
        using HttpResponseMessage next = await PostAsync(http, "story", stream: false);
        Assert.True(next.IsSuccessStatusCode, await next.Content.ReadAsStringAsync(Ct));
        int restarted = WorkerOf(server.ProcessId);
        Assert.NotEqual(worker, restarted);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("health", Ct)).StatusCode);
        Assert.True(server.IsRunning, server.Output);
    }

    [Fact]
    public async Task AStoppedWorkerIsReportedRefusedAtOnceAndRestartedAfterTheHangTimeout()
    {
        var models = new Dictionary<string, string> { ["story"] = TestPaths.Stories260K };
        await using ServerProcess server = await ServerProcess.StartAsync(models, Ct, "--Server:Isolation=Process", "--Server:WorkerHangTimeout=00:00:06");
        using var http = new HttpClient { BaseAddress = server.BaseUri, Timeout = TimeSpan.FromMinutes(2) };
        int worker = WorkerOf(server.ProcessId);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(http, "story", stream: false)).StatusCode);

        Signal(worker, "STOP");
        try
        {
            // Within half the hang timeout /health says so, and a request is refused at once instead of waiting 120 s.
            string health = string.Empty;
            await WaitUntilAsync(() =>
            {
                using HttpResponseMessage answer = http.GetAsync("health", Ct).GetAwaiter().GetResult();
                health = answer.Content.ReadAsStringAsync(Ct).GetAwaiter().GetResult();
                return answer.StatusCode == HttpStatusCode.ServiceUnavailable;
            });
            Assert.Contains("has not answered", health, StringComparison.Ordinal);
            var refused = System.Diagnostics.Stopwatch.StartNew();
            using HttpResponseMessage chat = await PostAsync(http, "story", stream: false);
            if (chat.StatusCode != HttpStatusCode.OK)
            {
                // Unless the worker was already restarted in between, the refusal is immediate and says why.
                Assert.Equal(HttpStatusCode.ServiceUnavailable, chat.StatusCode);
                Assert.Contains("backend_unavailable", await chat.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
                Assert.True(refused.Elapsed < TimeSpan.FromSeconds(10), refused.Elapsed.ToString()); // not the 120 s a first token may take
            }

            // After the hang timeout the stopped worker is killed and a new one serves.
            await WaitUntilAsync(() => State(worker) is null or 'Z' && server.IsRunning);
            using HttpResponseMessage next = await PostAsync(http, "story", stream: false);
            Assert.True(next.IsSuccessStatusCode, await next.Content.ReadAsStringAsync(Ct));
            Assert.NotEqual(worker, WorkerOf(server.ProcessId));
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("health", Ct)).StatusCode);
        }
        finally
        {
            if (State(worker) == 'T')
            {
                Signal(worker, "CONT");
            }
        }
    }

    [Fact]
    public async Task TheWorkerAnswersOnlyTheServer()
    {
        var models = new Dictionary<string, string> { ["story"] = TestPaths.Stories260K };
        await using ServerProcess server = await ServerProcess.StartAsync(models, Ct, "--Server:Isolation=Process");
        int worker = WorkerOf(server.ProcessId);
        int port = ListeningPort(worker);
        using var direct = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/") };

        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(direct, "story", stream: false)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await direct.GetAsync("health", Ct)).StatusCode);

        // The worker keeps its governance files (its local account, its audit log) apart from the server's.
        Assert.True(File.Exists(Path.Combine(server.Home, "worker", "governance", "governance.db")), server.Output);

        // The worker ends with the server, however the server ends.
        server.Kill();
        await WaitUntilAsync(() => !File.Exists($"/proc/{worker.ToString(CultureInfo.InvariantCulture)}/stat") || State(worker) == 'Z');
    }

    [Fact]
    public async Task ThePoolEndpointsActOnTheWorkersPool()
    {
        var models = new Dictionary<string, string> { ["story"] = TestPaths.Stories260K, ["tiny"] = TestLlamaModels.Tiny };
        await using ServerProcess server = await ServerProcess.StartAsync(models, Ct, "--Server:Isolation=Process", "--Server:AllowModelPaths=true");
        using var http = new HttpClient { BaseAddress = server.BaseUri, Timeout = TimeSpan.FromMinutes(2) };
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(http, "story", stream: false)).StatusCode);
        int worker = WorkerOf(server.ProcessId);

        // Ollama's /api/ps and /health list what the worker holds, with the fields they have without isolation.
        using var ollama = new OllamaApiClient(http);
        RunningModel running = Assert.Single(await ollama.ListRunningModelsAsync(Ct));
        Assert.Equal("story", running.Name);
        Assert.InRange(running.Size, 100_000, new FileInfo(TestPaths.Stories260K).Length); // the weights
        Assert.Equal(512, running.ContextLength); // ServerProcess's --Server:Pool:Engine:ContextSize
        Assert.Equal(0, running.SizeVram);
        Assert.Matches("^[0-9a-f]{64}$", running.Digest);
        Assert.Equal("gguf", running.Details.Format);
        Assert.Equal("llama", running.Details.Family);
        Assert.True(running.ExpiresAt > DateTime.UtcNow, running.ExpiresAt.ToString("O", CultureInfo.InvariantCulture));
        Assert.Equal(["story"], await LoadedModelsAsync(http));

        // Ollama's unload (keep_alive 0, no prompt) and load (no prompt) act on the worker's pool too.
        await ollama.RequestModelUnloadAsync("story", Ct);
        Assert.Empty(await ollama.ListRunningModelsAsync(Ct));
        Assert.Empty(await LoadedModelsAsync(http));
        using (HttpResponseMessage load = await http.PostAsJsonAsync("api/generate", new { model = "tiny" }, Ct))
        {
            Assert.True(load.IsSuccessStatusCode, await load.Content.ReadAsStringAsync(Ct));
        }

        Assert.Equal("tiny", Assert.Single(await ollama.ListRunningModelsAsync(Ct)).Name);
        using (HttpResponseMessage unload = await http.PostAsJsonAsync("v1/pool/unload", new { model = "tiny" }, Ct))
        {
            Assert.True((await unload.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("unloaded").GetBoolean());
        }

        // A model a client names by path (Server:AllowModelPaths) is run by the worker from that path, not looked up by its file name.
        using (HttpResponseMessage byPath = await PostAsync(http, TestPaths.Stories260K, stream: false))
        {
            Assert.True(byPath.IsSuccessStatusCode, await byPath.Content.ReadAsStringAsync(Ct));
        }

        Assert.Equal("story", Assert.Single(await ollama.ListRunningModelsAsync(Ct)).Name); // the configured name of that file

        HttpResponseMessage swap = await http.PostAsJsonAsync("v1/pool/swap", new { model = "story", replacement = "tiny" }, Ct);
        Assert.True(swap.IsSuccessStatusCode, await swap.Content.ReadAsStringAsync(Ct));
        HttpResponseMessage pin = await http.PostAsJsonAsync("v1/pool/pin", new { model = "story" }, Ct);
        Assert.True(pin.IsSuccessStatusCode, await pin.Content.ReadAsStringAsync(Ct));

        // The worker's pool holds the replacement, pinned; "story" is now served from its file there.
        using JsonDocument pool = JsonDocument.Parse(await http.GetStringAsync("v1/pool", Ct));
        JsonElement entry = Assert.Single(pool.RootElement.GetProperty("data").EnumerateArray());
        Assert.Equal(TestLlamaModels.Tiny, entry.GetProperty("path").GetString());
        Assert.True(entry.GetProperty("pinned").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(http, "story", stream: false)).StatusCode);
        Assert.Contains(TestLlamaModels.Tiny, File.ReadAllText($"/proc/{worker.ToString(CultureInfo.InvariantCulture)}/maps"), StringComparison.Ordinal);

        // llama.cpp never enters the server's own process.
        Assert.DoesNotContain("libllama", File.ReadAllText($"/proc/{server.ProcessId.ToString(CultureInfo.InvariantCulture)}/maps"), StringComparison.Ordinal);

        // The worker's refusals come back as they are.
        HttpResponseMessage unknown = await http.PostAsJsonAsync("v1/pool/pin", new { model = "no-such-model" }, Ct);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        // Deleting the store model (here one imported where it lies, by path) of the file "story" was swapped away from leaves
        // the replacement that serves "story" now loaded in the worker.
        await StoreAndDeleteAsync(http, TestPaths.Stories260K);
        using (JsonDocument kept = JsonDocument.Parse(await http.GetStringAsync("v1/pool", Ct)))
        {
            Assert.Equal(TestLlamaModels.Tiny, Assert.Single(kept.RootElement.GetProperty("data").EnumerateArray()).GetProperty("path").GetString());
        }

        // Deleting a store model unloads its own file in the worker.
        await StoreAndDeleteAsync(http, TestLlamaModels.Tiny);
        Assert.Empty(await ollama.ListRunningModelsAsync(Ct));
    }

    /// <summary>Imports <paramref name="path"/> into the server's model store where it lies (Ollama's pull of a path), then deletes it.</summary>
    private static async Task StoreAndDeleteAsync(HttpClient http, string path)
    {
        using (HttpResponseMessage pulled = await http.PostAsJsonAsync("api/pull", new { model = path, stream = false }, Ct))
        {
            Assert.True(pulled.IsSuccessStatusCode, await pulled.Content.ReadAsStringAsync(Ct));
        }

        using var delete = new HttpRequestMessage(HttpMethod.Delete, "api/delete") { Content = JsonContent.Create(new { model = "local/" + Path.GetFileNameWithoutExtension(path) }) };
        using HttpResponseMessage deleted = await http.SendAsync(delete, Ct);
        Assert.True(deleted.IsSuccessStatusCode, await deleted.Content.ReadAsStringAsync(Ct));
    }

    private static async Task<string[]> LoadedModelsAsync(HttpClient http)
    {
        using JsonDocument health = JsonDocument.Parse(await http.GetStringAsync("health", Ct));
        return [.. health.RootElement.GetProperty("loaded_models").EnumerateArray().Select(m => m.GetString()!).Order(StringComparer.Ordinal)];
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient http, string model, bool stream) =>
        http.SendAsync(
            new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
            {
                Content = JsonContent.Create(new
                {
                    model,
                    messages = new[] { new { role = "user", content = "q" } },
                    max_tokens = stream ? 3500 : 8,
                    temperature = 0,
                    stream,
                }),
            },
            HttpCompletionOption.ResponseHeadersRead, // a stream is read as it comes
            Ct);

    /// <summary>The one child process of <paramref name="parent"/> (Linux: /proc).</summary>
    private static int WorkerOf(int parent)
    {
        int[] children = [.. Directory.EnumerateDirectories("/proc")
            .Select(Path.GetFileName)
            .Where(name => name!.All(char.IsAsciiDigit))
            .Select(name => int.Parse(name!, CultureInfo.InvariantCulture))
            .Where(pid => ParentOf(pid) == parent && State(pid) != 'Z')];
        return Assert.Single(children);
    }

    private static int? ParentOf(int pid) => Stat(pid) is { } fields ? int.Parse(fields[1], CultureInfo.InvariantCulture) : null;

    private static char? State(int pid) => Stat(pid) is { } fields ? fields[0][0] : null;

    /// <summary>The fields of /proc/pid/stat after the command name: state, parent id….</summary>
    private static string[]? Stat(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static void Kill(int pid)
    {
        using var process = System.Diagnostics.Process.GetProcessById(pid);
        process.Kill(); // SIGKILL on Unix
        process.WaitForExit();
    }

    private static void Signal(int pid, string signal)
    {
        using var kill = System.Diagnostics.Process.Start("kill", [$"-{signal}", pid.ToString(CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>The loopback TCP port <paramref name="pid"/> listens on (Linux: its socket inodes in /proc/net/tcp).</summary>
    private static int ListeningPort(int pid)
    {
        HashSet<string> sockets = [.. new DirectoryInfo($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/fd").EnumerateFileSystemInfos()
            .Select(fd => fd.LinkTarget)
            .Where(target => target is not null && target.StartsWith("socket:[", StringComparison.Ordinal))
            .Select(target => target!["socket:[".Length..^1])];
        string listening = File.ReadAllLines("/proc/net/tcp").Skip(1)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Single(f => f[3] == "0A" && sockets.Contains(f[9]))[1];
        Assert.StartsWith("0100007F:", listening, StringComparison.Ordinal); // 127.0.0.1 only
        return int.Parse(listening[(listening.IndexOf(':') + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(100, Ct);
        }
    }
}
