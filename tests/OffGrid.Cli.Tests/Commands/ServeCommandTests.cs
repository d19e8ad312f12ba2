using System.Text.Json;
using System.Text.RegularExpressions;
using OffGrid.Testing;

namespace OffGrid.Cli.Tests.Commands;

public sealed partial class ServeCommandTests : IDisposable
{
    private readonly OffGridCli _cli = new();

    [Fact]
    public async Task ServeAnswersUntilCtrlCAndDoctorSeesIt()
    {
        string models = Directory.CreateDirectory(Path.Combine(_cli.Home, "served")).FullName;
        File.Copy(TestPaths.Stories260K, Path.Combine(models, "stories260K.gguf"));
        using CliProcess server = await _cli.StartAsync("serve", "--port", "0", "--models-dir", models, "--Server:MaxRequestBodyBytes", "65536");
        await server.WaitForOutputAsync(output => output.Contains("Ctrl+C stops the server.", StringComparison.Ordinal));
        var address = new Uri(Banner().Match(server.Stdout).Groups["url"].Value + "/");

        // A banner instead of the framework's log lines.
        Assert.Matches($@"(?m)^Web UI\s+{Regex.Escape(address.ToString())}\s*$", server.Stdout);
        Assert.Matches($@"(?m)^OpenAI API\s+{Regex.Escape(address + "v1")}\s*$", server.Stdout);
        Assert.Matches(@"(?m)^Models\s+stories260K\s*$", server.Stdout);
        Assert.Matches(@"Auth\s+none \(single-user\): this machine only", server.Stdout);
        Assert.DoesNotContain("Now listening on", server.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("info:", server.Stdout, StringComparison.Ordinal);

        using (var http = new HttpClient { BaseAddress = address })
        {
            using JsonDocument health = JsonDocument.Parse(await http.GetStringAsync("health", TestContext.Current.CancellationToken));
            Assert.Equal("ok", health.RootElement.GetProperty("status").GetString());
            using JsonDocument list = JsonDocument.Parse(await http.GetStringAsync("v1/models", TestContext.Current.CancellationToken));
            Assert.Contains(list.RootElement.GetProperty("data").EnumerateArray(), m => m.GetProperty("id").GetString() == "stories260K");
        }

        CliResult doctor = await _cli.RunAsync("doctor", "--server", address.ToString());
        doctor.AssertSuccess();
        Assert.Contains($"{address} answers 200", doctor.Stdout, StringComparison.Ordinal);

        await server.InterruptAsync();

        (await server.WaitAsync()).AssertSuccess();
    }

    [Fact]
    public async Task ServeWithProcessIsolationRunsTheModelsInAWorkerOfItsOwn()
    {
        // A collection made on this machine with a model file's path, as the README shows: the server embeds through its worker.
        (await _cli.RunAsync("kb", "create", "manuals", "--embedding-model", TestPaths.Stories260K)).AssertSuccess();
        using CliProcess server = await _cli.StartAsync("serve", "--port", "0", "--Server:Models:story", TestPaths.Stories260K, "--Server:Isolation", "Process");
        await server.WaitForOutputAsync(output => output.Contains("Ctrl+C stops the server.", StringComparison.Ordinal));
        var address = new Uri(Banner().Match(server.Stdout).Groups["url"].Value + "/");
        using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromMinutes(1) };

        // Healthy once the worker (offgrid serve started again, on a port of its own) is.
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while ((await http.GetAsync("health", TestContext.Current.CancellationToken)).StatusCode != System.Net.HttpStatusCode.OK)
        {
            Assert.True(DateTime.UtcNow < deadline, server.Stdout + server.Stderr);
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }

        using HttpResponseMessage answer = await http.PostAsync("v1/chat/completions", new StringContent(
            """{"model":"story","messages":[{"role":"user","content":"Once upon a time"}],"max_tokens":8}""", System.Text.Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        string body = await answer.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(answer.IsSuccessStatusCode, body);
        Assert.Contains("\"completion_tokens\":8", body, StringComparison.Ordinal);
        Assert.Contains("Model worker", server.Stdout, StringComparison.Ordinal);

        // offgrid ps and offgrid pool act on the worker's pool through the server.
        string url = address.ToString();
        CliResult ps = await _cli.RunAsync("ps", "--server", url);
        ps.AssertSuccess();
        Assert.Matches(@"(?m)^\W*story\W", ps.Stdout);
        CliResult pin = await _cli.RunAsync("pool", "pin", "story", "--server", url);
        pin.AssertSuccess();
        Assert.StartsWith("Pinned story", pin.Stdout, StringComparison.Ordinal);
        using (JsonDocument listed = JsonDocument.Parse((await _cli.RunAsync("ps", "--server", url, "--json")).Stdout))
        {
            JsonElement story = Assert.Single(listed.RootElement.GetProperty("data").EnumerateArray());
            Assert.Equal("story", Assert.Single(story.GetProperty("names").EnumerateArray()).GetString());
            Assert.True(story.GetProperty("pinned").GetBoolean());
        }

        CliResult unload = await _cli.RunAsync("pool", "unload", "story", "--server", url);
        unload.AssertSuccess();
        Assert.Equal("Unloaded story.", unload.Stdout.Trim());
        Assert.Contains("No models are loaded", (await _cli.RunAsync("ps", "--server", url)).Stdout, StringComparison.Ordinal);
        // The server's refusal names the method and the path under the server, then the server's own message.
        Assert.StartsWith(
            $"offgrid: {url} refused POST /v1/pool/pin (404): ",
            (await _cli.RunAsync("pool", "pin", "no-such-model", "--server", url)).AssertOneLineFailure(),
            StringComparison.Ordinal);
        Assert.Contains(
            $"offgrid: {url} refused POST /v1/pool/unload (404): Unknown model 'no-such-model'",
            (await _cli.RunAsync("pool", "unload", "no-such-model", "--server", url)).AssertOneLineFailure(),
            StringComparison.Ordinal);

        using (var form = new MultipartFormDataContent { { new StringContent("The pump resets with the red lever. Once upon a time there was a pump."), "file", "pump.txt" } })
        {
            using HttpResponseMessage added = await http.PostAsync("v1/knowledge/collections/manuals/documents?wait=true", form, TestContext.Current.CancellationToken);
            string text = await added.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            Assert.True(added.IsSuccessStatusCode, text);
            Assert.Contains("\"completed\"", text, StringComparison.Ordinal);
        }

        using (HttpResponseMessage found = await http.PostAsync("v1/knowledge/search", new StringContent(
            """{"collections":["manuals"],"query":"pump lever","top_k":1}""", System.Text.Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken))
        {
            string text = await found.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            Assert.True(found.IsSuccessStatusCode, text);
            Assert.Contains("red lever", text, StringComparison.Ordinal);
        }

        await server.InterruptAsync();
        (await server.WaitAsync()).AssertSuccess();

        // No server there: one line, exit 1.
        Assert.Contains("No OffGrid server answers at", (await _cli.RunAsync("ps", "--server", url)).AssertOneLineFailure(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerboseKeepsTheFrameworkLog()
    {
        using CliProcess server = await _cli.StartAsync("serve", "--port", "0", "--verbose");
        await server.WaitForOutputAsync(output => output.Contains("Now listening on: http://127.0.0.1:", StringComparison.Ordinal) && output.Contains("Ctrl+C stops the server.", StringComparison.Ordinal));

        Assert.Matches(@"Models\s+none yet", server.Stdout);
        await server.InterruptAsync();
        (await server.WaitAsync()).AssertSuccess();
    }

    [Fact]
    public async Task APortInUseIsOneLineAndExitCode1()
    {
        using var busy = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        busy.Start();
        int port = ((System.Net.IPEndPoint)busy.LocalEndpoint).Port;

        string line = (await _cli.RunAsync("serve", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture))).AssertOneLineFailure();

        Assert.Contains($"127.0.0.1:{port} is already in use", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnknownPreloadModelIsOneLineAndExitCode2()
    {
        string line = (await _cli.RunAsync("serve", "--port", "0", "--preload", "missing")).AssertOneLineFailure(2);

        Assert.StartsWith("offgrid: Server:Preload:0 is 'missing': Unknown model 'missing'", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LlamaServersEngineSwitchesSetTheEngineAndTheDraftModelIsNamed()
    {
        using CliProcess server = await _cli.StartAsync(
            "serve", "--port", "0", "--Server:Models:stories", TestPaths.Stories260K, "-t", "1", "-c", "256", "-np", "2", "-fa", "on", "-ctk", "f32", "-ctv", "bf16", "-md", "stories");
        await server.WaitForOutputAsync(output => output.Contains("Ctrl+C stops the server.", StringComparison.Ordinal));

        // The banner shows the settings as the server bound them, the draft model resolved through the model name.
        Assert.Contains(
            $"1 thread, 256 tokens × 2 parallel sequences, flash attention on, KV cache f32/bf16, draft model {Path.GetFullPath(TestPaths.Stories260K)}",
            server.Stdout,
            StringComparison.Ordinal);
        using var http = new HttpClient { BaseAddress = new Uri(Banner().Match(server.Stdout).Groups["url"].Value + "/"), Timeout = TimeSpan.FromMinutes(1) };
        using HttpResponseMessage answer = await http.PostAsync("api/generate", new StringContent(
            """{"model":"stories","prompt":"Once upon a time","stream":false,"options":{"temperature":0,"num_predict":8}}""", System.Text.Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        Assert.True(answer.IsSuccessStatusCode, await answer.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        using JsonDocument pool = JsonDocument.Parse(await http.GetStringAsync("v1/pool", TestContext.Current.CancellationToken));
        Assert.Equal(256, pool.RootElement.GetProperty("data")[0].GetProperty("context_size").GetInt32());

        await server.InterruptAsync();
        (await server.WaitAsync()).AssertSuccess();
    }

    [Fact]
    public async Task AMisspelledSettingIsOneLineWithTheClosestNameAndExitCode2()
    {
        _cli.Environment["OFFGRID_Server__Pool__Engine__ContextSzie"] = "4096";

        string line = (await _cli.RunAsync("serve", "--port", "0")).AssertOneLineFailure(2);

        Assert.Equal("offgrid: Server:Pool:Engine:ContextSzie is not a setting: Server:Pool:Engine has no 'ContextSzie'. Did you mean Server:Pool:Engine:ContextSize?", line);
    }

    public void Dispose() => _cli.Dispose();

    [GeneratedRegex(@"OffGrid server on (?<url>http://127\.0\.0\.1:\d+)")]
    private static partial Regex Banner();
}
