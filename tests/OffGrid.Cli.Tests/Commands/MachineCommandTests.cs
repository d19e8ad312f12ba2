using System.Globalization;
using System.Text.Json;
using OffGrid.Testing;
using OffGrid.Testing.Models;

namespace OffGrid.Cli.Tests.Commands;

public sealed class MachineCommandTests : IDisposable
{
    private readonly OffGridCli _cli = new();

    [Fact]
    public async Task BenchPrintsThroughputAndMemory()
    {
        CliResult table = await _cli.RunAsync("bench", TestPaths.Stories260K, "--threads", "1", "-p", "16", "-n", "4", "-r", "1");
        table.AssertSuccess();
        Assert.Contains("Generation tokens/s", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("stories260K", table.Stdout, StringComparison.Ordinal);

        // More threads than cores are lowered to the cores (they took minutes per run before).
        CliResult json = await _cli.RunAsync("bench", TestPaths.Stories260K, "--threads", "500", "-p", "16", "-n", "4", "-r", "2", "--json");
        json.AssertSuccess();
        Assert.Contains($"Warning: --threads 500 is more than the {Environment.ProcessorCount} cores", json.Stderr, StringComparison.Ordinal);
        using JsonDocument result = JsonDocument.Parse(json.Stdout);
        Assert.Equal(2, result.RootElement.GetProperty("runs").GetArrayLength());
        Assert.All(result.RootElement.GetProperty("runs").EnumerateArray(), run => Assert.Equal(16, run.GetProperty("prompt_tokens").GetInt32()));
        Assert.True(result.RootElement.GetProperty("prompt_tokens_per_second").GetDouble() > 0);
        Assert.True(result.RootElement.GetProperty("generation_tokens_per_second").GetDouble() > 0);
        Assert.True(result.RootElement.GetProperty("peak_working_set_bytes").GetInt64() > result.RootElement.GetProperty("model_size_bytes").GetInt64());
        Assert.Equal(JsonValueKind.Array, result.RootElement.GetProperty("warnings").ValueKind);
    }

    [Fact]
    public async Task ShortBenchRunsGiveEngineTimedFiguresAndOneOutputTokenNoGenerationSpeed()
    {
        // 10+10 tokens: timed where the updates were read, a run's tokens arrived in a burst (3,461,538 tokens/s).
        CliResult shortRuns = await _cli.RunAsync("bench", TestPaths.Stories260K, "--threads", "1", "-p", "10", "-n", "10", "-r", "3", "--json");
        shortRuns.AssertSuccess();
        using (JsonDocument result = JsonDocument.Parse(shortRuns.Stdout))
        {
            Assert.All(result.RootElement.GetProperty("runs").EnumerateArray(), run =>
            {
                double generation = run.GetProperty("generation_tokens_per_second").GetDouble();
                Assert.InRange(generation, 1, 100_000);
                Assert.True(TimeSpan.Parse(run.GetProperty("total").GetString()!, CultureInfo.InvariantCulture) > TimeSpan.Parse(run.GetProperty("prompt_duration").GetString()!, CultureInfo.InvariantCulture));
            });

            // A noisy machine's spread warning is a field of the JSON too, as it is a line on standard error.
            string[] warnings = [.. result.RootElement.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()!)];
            Assert.Equal(result.RootElement.GetProperty("generation_spread").GetDouble() > 0.2, warnings.Any(w => w.StartsWith("generation speed varied by", StringComparison.Ordinal)));
            Assert.All(warnings, w => Assert.Contains("Warning: " + w, shortRuns.ErrorLines));
        }

        CliResult one = await _cli.RunAsync("bench", TestPaths.Stories260K, "--threads", "1", "-p", "10", "-n", "1", "-r", "2");
        one.AssertSuccess();
        Assert.Matches(@"│\s+n/a\s+│", one.Stdout);
        Assert.Contains("Warning: with --output-tokens 1 there is no generation speed to measure", one.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BenchNamesPromptPlusOutputAgainstTheContextAndWarnsBeyondTheTrainedOne()
    {
        Assert.Equal(
            "offgrid: --ctx 64 is too small: a prompt of 128 tokens (-p) plus 128 output tokens (-n) need a context of at least 257 tokens. Raise --ctx, or leave it out to use what the runs need.",
            (await _cli.RunAsync("bench", TestPaths.Stories260K, "-p", "128", "-n", "128", "--ctx", "64")).AssertOneLineFailure(2));
        Assert.StartsWith(
            "offgrid: --ctx 110 is too small: a prompt of 100 tokens (-p) plus 20 output tokens (-n) need a context of at least 121 tokens.",
            (await _cli.RunAsync("bench", TestPaths.Stories260K, "-p", "100", "-n", "20", "--ctx-size", "110")).AssertOneLineFailure(2),
            StringComparison.Ordinal);

        // A context that fits but is below what llama.cpp allocates is raised, and the note says so.
        CliResult raised = await _cli.RunAsync("bench", TestPaths.Stories260K, "--threads", "1", "-p", "10", "-n", "4", "-r", "1", "-c", "32");
        raised.AssertSuccess();
        Assert.Matches(@"llama\.cpp raised --ctx 32 to \d+ tokens per stream", raised.Stderr);

        // Like show and run: a context beyond the trained one is a warning, not silence.
        string shortTrained = TestLlamaModels.GetOrCreate(new TestLlamaModelSpec { ContextLength = 64 });
        CliResult beyond = await _cli.RunAsync("bench", shortTrained, "--threads", "1", "-p", "64", "-n", "4", "-r", "1");
        beyond.AssertSuccess();
        Assert.Contains("Warning: -p 64 plus -n 4 (a context of 69 tokens) is more than the 64 tokens the model was trained on; beyond them its answers degrade.", beyond.ErrorLines);
        CliResult run = await _cli.RunAsync("run", shortTrained, "--threads", "1", "hello", "--temperature", "0", "-n", "2", "--ctx", "128");
        run.AssertSuccess();
        Assert.Contains("Warning: --ctx 128 is more than the 64 tokens the model was trained on; beyond them its answers degrade.", run.ErrorLines);
    }

    [Fact]
    public async Task DoctorReportsTheMachineAndTheRuntime()
    {
        CliResult json = await _cli.RunAsync("doctor", "--json");

        json.AssertSuccess();
        using JsonDocument findings = JsonDocument.Parse(json.Stdout);
        Dictionary<string, JsonElement> byCheck = findings.RootElement.EnumerateArray().ToDictionary(f => f.GetProperty("check").GetString()!);
        Assert.StartsWith("loaded from", byCheck["llama.cpp runtime"].GetProperty("result").GetString(), StringComparison.Ordinal);
        Assert.Equal("ok", byCheck["Home folder"].GetProperty("status").GetString());
        Assert.Contains(_cli.Home, byCheck["Home folder"].GetProperty("result").GetString(), StringComparison.Ordinal);
        Assert.Contains("not running", byCheck["OffGrid server"].GetProperty("result").GetString(), StringComparison.Ordinal);
        Assert.Matches(@"^for \d+ cores, .+ of memory: \S+ \(", byCheck["Starter models"].GetProperty("result").GetString()!);

        // Offline is a normal state, not a problem: the check says so and what still works.
        Assert.Equal("ok", byCheck["Hugging Face"].GetProperty("status").GetString());
        Assert.Equal(
            $"{OffGridCli.OfflineEndpoint} is not reachable: its name does not resolve. Offline is fine: local .gguf files and the model store work without it; to download, set HF_ENDPOINT to a reachable mirror.",
            byCheck["Hugging Face"].GetProperty("result").GetString());

        CliResult table = await _cli.RunAsync("doctor", "--server", "http://127.0.0.1:9/");
        table.AssertSuccess();
        Assert.Contains("CPU features", table.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DoctorAndListSeeAReachableHub()
    {
        await using var hub = OffGrid.Testing.HuggingFace.LoopbackHubServer.Start();
        _cli.Environment["HF_ENDPOINT"] = hub.BaseUri.ToString();

        CliResult doctor = await _cli.RunAsync("doctor", "--json");
        CliResult list = await _cli.RunAsync("list");

        doctor.AssertSuccess();
        using JsonDocument findings = JsonDocument.Parse(doctor.Stdout);
        string result = findings.RootElement.EnumerateArray().Single(f => f.GetProperty("check").GetString() == "Hugging Face").GetProperty("result").GetString()!;
        Assert.Matches($@"^{System.Text.RegularExpressions.Regex.Escape(hub.BaseUri.ToString())} answers \(HTTP 200, \d+ ms\)$", result);
        list.AssertSuccess();
        Assert.Matches(@"For this machine \(\d+ cores, .+\), try: offgrid run \S+", list.Stdout);
    }

    [Fact]
    public async Task ListOnAnOfflineMachineSaysWhatWorks()
    {
        CliResult list = await _cli.RunAsync("list");

        list.AssertSuccess();
        Assert.Contains("This machine cannot reach offgrid-hub.invalid (its name does not resolve), so nothing can be downloaded.", list.Stdout, StringComparison.Ordinal);
        Assert.Contains("offgrid run ./model.gguf", list.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RuntimeInstallReportsTheLoadedRuntime()
    {
        CliResult result = await _cli.RunAsync("runtime", "install", "--json");

        result.AssertSuccess();
        using JsonDocument runtime = JsonDocument.Parse(result.Stdout);
        Assert.True(Directory.Exists(runtime.RootElement.GetProperty("library_directory").GetString()));
        Assert.NotEqual(0, runtime.RootElement.GetProperty("devices").GetArrayLength());
    }

    [Fact]
    public async Task RuntimeInstallsFromALocalPackageIntoTheHomeFolder()
    {
        string package = Path.Combine(TestPaths.CacheDir, "runtime", "downloads", (await OffGridCli.RuntimeAsync()).Package!.TarballFileName);
        Assert.True(File.Exists(package), "the test runtime was installed from " + package);
        _cli.Environment["OFFGRID_LLAMA_PATH"] = null;
        _cli.Environment["NPM_CONFIG_REGISTRY"] = "http://127.0.0.1:9/"; // a download attempt would fail

        CliResult before = await _cli.RunAsync("doctor", "--json");
        before.AssertSuccess();
        using (JsonDocument findings = JsonDocument.Parse(before.Stdout))
        {
            JsonElement runtime = findings.RootElement.EnumerateArray().Single(f => f.GetProperty("check").GetString() == "llama.cpp runtime");
            Assert.Equal("warning", runtime.GetProperty("status").GetString());
            Assert.Contains("offgrid runtime install", runtime.GetProperty("result").GetString(), StringComparison.Ordinal);
        }

        CliResult install = await _cli.RunAsync("runtime", "install", "--from", package, "--variant", "cpu", "--json");
        install.AssertSuccess();
        using (JsonDocument runtime = JsonDocument.Parse(install.Stdout))
        {
            Assert.StartsWith(Path.Combine(_cli.Home, "runtime"), runtime.RootElement.GetProperty("library_directory").GetString(), StringComparison.Ordinal);
        }

        CliResult run = await _cli.RunAsync("run", TestPaths.Stories260K, "--threads", "1", "Once upon a time", "--temperature", "0", "-n", "20");
        run.AssertSuccess();
        Assert.Contains("Lily", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VersionAndHelpWithExamples()
    {
        CliResult version = await _cli.RunAsync("--version");
        version.AssertSuccess();
        Assert.Matches(@"^\d+\.\d+\.\d+", version.Stdout.Trim());

        // The top level lists each command in one line (27 commands with knowledge, governance and tools); examples belong
        // to each command's own help.
        CliResult top = await _cli.RunAsync("--help");
        top.AssertSuccess();
        // One line a command plus a fixed frame (description, usage, options, the closing pointer and three examples).
        string[] lines = top.Stdout.Split('\n');
        int commands = lines.SkipWhile(l => l.Trim() != "Commands:").Skip(1).TakeWhile(l => l.Trim().Length > 0).Count();
        Assert.True(commands >= 10, top.Stdout);
        Assert.InRange(lines.Length, 10, commands + 20);
        Assert.Matches(@"(?m)^  run <model> \[prompt\]\s+Run a model", top.Stdout);
        Assert.DoesNotContain("offgrid run llama3.2 \"Why is the sky blue?\"", top.Stdout, StringComparison.Ordinal);
        CliResult serve = await _cli.RunAsync("serve", "--help");
        Assert.Contains("offgrid serve [options] [--<Section>:<Key> <value>...]", serve.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("additional arguments", serve.Stdout, StringComparison.Ordinal);

        // A nested group's pointer names the whole command line.
        CliResult nodes = await _cli.RunAsync("kb", "nodes", "--help");
        Assert.Contains("Run 'offgrid kb nodes <command> --help'", nodes.Stdout, StringComparison.Ordinal);

        // Defaults a newcomer meets first: the answer length and what an explicit thread count means.
        string run = (await _cli.RunAsync("run", "--help")).Stdout;
        Assert.Contains("Default: 256 when a base model continues text", run, StringComparison.Ordinal);
        Assert.Contains("a value given here is used as is, not adapted", run, StringComparison.Ordinal);

        foreach (string command in new[] { "run", "pull", "download-hf", "search", "list", "show", "rm", "bench", "doctor" })
        {
            CliResult help = await _cli.RunAsync(command, "--help");
            help.AssertSuccess();
            Assert.Contains("Examples:", help.Stdout, StringComparison.Ordinal);
            Assert.Contains("offgrid " + command, help.Stdout, StringComparison.Ordinal);
        }
    }

    public void Dispose() => _cli.Dispose();
}
