using OffGrid.Testing;

namespace OffGrid.Cli.Tests.Commands;

public sealed class FailureTests : IDisposable
{
    private readonly OffGridCli _cli = new();

    [Fact]
    public async Task UnknownModelNamesTheChoices()
    {
        string line = (await _cli.RunAsync("run", "no-such-model", "hi")).AssertOneLineFailure();

        Assert.Contains("Unknown model 'no-such-model'", line, StringComparison.Ordinal);
        Assert.Contains("llama3.2", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingFileIsReported()
    {
        string missing = Path.Combine(_cli.Home, "missing.gguf");

        string line = (await _cli.RunAsync("run", missing, "hi")).AssertOneLineFailure();

        Assert.Contains("does not exist", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CorruptModelIsReported()
    {
        string corrupt = Path.Combine(_cli.Home, "corrupt.gguf");
        await File.WriteAllBytesAsync(corrupt, [.. "GGUF"u8, 3, 0, 0, 0, 0xFF, 0xFF, 0xFF], TestContext.Current.CancellationToken);

        string run = (await _cli.RunAsync("run", corrupt, "hi")).AssertOneLineFailure();
        string show = (await _cli.RunAsync("show", corrupt)).AssertOneLineFailure();

        Assert.Contains("not a valid GGUF", run, StringComparison.Ordinal);
        Assert.Contains("corrupt.gguf", show, StringComparison.Ordinal);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(run, "corrupt\\.gguf"));
    }

    [Theory]
    [InlineData("run", "--bogus")]
    [InlineData("run", "model", "--tempreature", "1")]
    [InlineData("bench", "model", "--iterations", "many")]
    [InlineData("run", "model", "hi", "--temperature", "2.5")]
    [InlineData("search", "--sort", "random")]
    [InlineData("runn")]
    public async Task BadCommandLinesAreUsageErrors(params string[] args)
    {
        string line = (await _cli.RunAsync(args)).AssertOneLineFailure(expectedExitCode: 2);

        Assert.EndsWith("--help'.", line, StringComparison.Ordinal);
    }

    /// <summary>Values that parse but that the command (or the library it calls) refuses are usage errors too: exit 2, one line.</summary>
    [Theory]
    [InlineData("is not an absolute http or https URL", "kb", "nodes", "add", "docs", "not-a-url")]
    [InlineData("must be an absolute http or https URL", "kb", "nodes", "add", "docs", "ftp://10.0.0.5/")]
    [InlineData("weight must be between", "kb", "nodes", "add", "docs", "http://10.0.0.5:11611/", "--weight", "-1")]
    [InlineData("collection name 'Bad Name' is invalid", "kb", "create", "Bad Name", "-m", "embedder")]
    [InlineData("is not a host:port address", "peers", "add", "lab-2")]
    [InlineData("is not a TCP port", "share", "on", "--generate-secret", "--port", "0")]
    [InlineData("--tool-choice needs --tools", "run", "stories", "hi", "--tool-choice", "required")]
    [InlineData("'acme/model/notes' is not a model reference", "pull", "acme/model/notes")]
    [InlineData("the quantization after ':' is not valid", "pull", "acme/model:Q4 K M")]
    public async Task ValuesACommandRefusesAreUsageErrors(string wanted, params string[] args)
    {
        string line = (await _cli.RunAsync(args)).AssertOneLineFailure(expectedExitCode: 2);

        Assert.Contains(wanted, line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("pull", "acme/Some-Model-GGUF", "the model 'acme/Some-Model-GGUF'")]
    [InlineData("run", "llama3.2", "the model 'llama3.2'")]
    [InlineData("search", "qwen", "a search for 'qwen'")]
    public async Task OfflineTheHostTheModelAndWhatWorksOfflineAreNamed(string command, string model, string wanted)
    {
        string line = (await _cli.RunAsync(command, model)).AssertOneLineFailure();

        Assert.StartsWith($"offgrid: Could not reach offgrid-hub.invalid for {wanted}: its name does not resolve", line, StringComparison.Ordinal);
        Assert.Contains("local .gguf file", line, StringComparison.Ordinal);
        Assert.Contains("HF_ENDPOINT", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("whisper-tiny", "offgrid transcribe audio.wav --model ./ggml-base.bin")]
    [InlineData("piper-en_US-amy-low", "offgrid say --voice espeak:en-us")]
    public async Task OfflineSpeechModelsGetAdviceForTheirKind(string model, string offline)
    {
        string line = (await _cli.RunAsync("pull", model)).AssertOneLineFailure();

        Assert.StartsWith($"offgrid: Could not reach offgrid-hub.invalid for the model '{model}'", line, StringComparison.Ordinal);
        Assert.Contains(offline, line, StringComparison.Ordinal);
        Assert.DoesNotContain(".gguf", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnreachableRegistryNamesTheRuntimeAndTheOfflineInstall()
    {
        _cli.Environment["OFFGRID_LLAMA_PATH"] = null;
        _cli.Environment["NPM_CONFIG_REGISTRY"] = "http://offgrid-registry.invalid/";

        OffGrid.Inference.Runtime.RuntimePackage package = (await OffGridCli.RuntimeAsync()).Package!;

        string line = (await _cli.RunAsync("runtime", "install", "--variant", "cpu")).AssertOneLineFailure();

        Assert.StartsWith($"offgrid: Could not reach offgrid-registry.invalid for the llama.cpp runtime ({package.Name}@{package.Version}): its name does not resolve", line, StringComparison.Ordinal);
        Assert.Contains($"offgrid runtime install --from {package.TarballFileName}", line, StringComparison.Ordinal);
        Assert.Contains("OFFGRID_LLAMA_PATH", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARefusedHubIsRetriedWithANoticePerRetry()
    {
        using var closed = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        closed.Start();
        int port = ((System.Net.IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        _cli.Environment["HF_ENDPOINT"] = $"http://127.0.0.1:{port}/";

        CliResult result = await _cli.RunAsync("pull", "acme/Some-Model-GGUF");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(4, result.ErrorLines.Count);
        Assert.All(result.ErrorLines.Take(3), l => Assert.Contains("the connection was refused, nothing listens there; trying again in", l, StringComparison.Ordinal));
        Assert.StartsWith($"offgrid: Could not reach 127.0.0.1:{port} for the model 'acme/Some-Model-GGUF'", result.ErrorLines[3], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "run", "m", "--temperature", "abc" }, "'abc' is not a valid value for --temperature: expected a number.")]
    [InlineData(new[] { "bench", "m", "--iterations", "many" }, "'many' is not a valid value for --iterations: expected a whole number.")]
    [InlineData(new[] { "run", "m", "hi", "--threads", "0" }, "--threads must be at least 1; 0 is not.")]
    [InlineData(new[] { "run", "m", "hi", "--max-tokens", "0" }, "--max-tokens must be at least 1; 0 is not.")]
    [InlineData(new[] { "run", "m", "hi", "--ctx", "10" }, "--ctx must be at least 16; 10 is not.")]
    [InlineData(new[] { "serve", "--port", "70000" }, "--port must be between 0 and 65535; 70000 is not.")]
    [InlineData(new[] { "search", "--min-size", "5XB" }, "'5XB' is not a size (examples: 500MB, 4GB, 1.5G).")]
    [InlineData(new[] { "rnu", "m" }, "Unrecognized command or argument 'rnu'. Did you mean 'run'?")]
    [InlineData(new[] { "run", "m", "--seeed", "1" }, "Unrecognized option '--seeed'. Did you mean '--seed'?")]
    [InlineData(new[] { "run", "m", "hi", "--thread", "1" }, "Unrecognized option '--thread'. Did you mean '--threads'?")]
    [InlineData(new[] { "run", "m", "hi", "--verbos" }, "Unrecognized option '--verbos'. Did you mean '--verbose'?")]
    [InlineData(new[] { "run", "m", "hi", "-t", "1" }, "-t is ambiguous here: use --temperature for the sampling temperature (what -t set in 'offgrid run' before) or --threads for CPU threads (what -t means in 'offgrid serve' and llama.cpp).")]
    [InlineData(new[] { "run", "m", "hi", "--draft-max", "4" }, "--draft-max sets how many tokens are drafted, and nothing drafts without --draft-model or --spec-ngram.")]
    [InlineData(new[] { "run", "m", "hi", "-c", "10" }, "--ctx must be at least 16; 10 is not.")]
    [InlineData(new[] { "run", "m", "hi", "--ctx-size", "10" }, "--ctx must be at least 16; 10 is not.")]
    [InlineData(new[] { "show", "m", "-c", "10" }, "--ctx must be at least 16; 10 is not.")]
    [InlineData(new[] { "bench", "m", "--ctx-size", "10" }, "--ctx must be at least 16; 10 is not.")]
    [InlineData(new[] { "agent", "run", "helper", "task", "-m", "m", "-c", "10" }, "--ctx-size must be at least 64; 10 is not.")]
    [InlineData(new[] { "serve", "--prot", "8080" }, "Unrecognized option '--prot'. Did you mean '--port'?")]
    [InlineData(new[] { "serve", "-np", "0" }, "--parallel must be between 1 and 256; 0 is not.")]
    [InlineData(new[] { "run", "m", "hi", "--kb", "docs", "--kb-top", "0" }, "--kb-top must be between 1 and 100; 0 is not.")]
    [InlineData(new[] { "run", "m", "hi", "--kb", "docs", "--kb-top", "-3" }, "--kb-top must be between 1 and 100; -3 is not.")]
    [InlineData(new[] { "kb", "search", "docs", "pump", "--top", "0" }, "--top must be between 1 and 100; 0 is not.")]
    [InlineData(new[] { "kb", "search", "docs", "pump", "--alpha", "NaN" }, "--alpha must be between 0 and 1; NaN is not.")]
    [InlineData(new[] { "kb", "create", "docs", "-m", "embedder", "--max-tokens", "0" }, "--max-tokens must be at least 1; 0 is not.")]
    [InlineData(new[] { "kb", "create", "docs", "-m", "embedder", "--overlap", "-1" }, "--overlap must be at least 0; -1 is not.")]
    [InlineData(new[] { "audit", "export", "--status", "42" }, "--status must be between 100 and 599; 42 is not.")]
    [InlineData(new[] { "transcribe", "audio.wav", "--threads", "-1" }, "--threads must be at least 1; -1 is not.")]
    [InlineData(new[] { "usage", "--days", "0" }, "--days must be between 1 and 3660; 0 is not.")]
    [InlineData(new[] { "serve", "--threds", "2" }, "Unrecognized option '--threds'. Did you mean '--threads'?")]
    [InlineData(new[] { "serve", "-fa", "off", "-ctv", "q8_0" }, "--cache-type-v q8_0 needs flash attention: llama.cpp keeps a quantized value cache only with it; use --flash-attn on or auto.")]
    [InlineData(new[] { "serve", "--quiet" }, "Unrecognized option '--quiet'. Configuration switches name their section, such as --Server:Pool:KeepAlive 00:30:00.")]
    [InlineData(new[] { "serve", "--Server:Port=8080", "models" }, "Unrecognized argument 'models': expected configuration switches such as --Server:Pool:KeepAlive 00:30:00.")]
    [InlineData(new[] { "serve", "--port", "0", "--Server:Preload" }, "The configuration switch '--Server:Preload' needs a value (--Server:Preload=value, or --Server:Preload value).")]
    public async Task BadValuesAreOnePlainSentenceAndExitCode2(string[] args, string sentence)
    {
        string line = (await _cli.RunAsync(args)).AssertOneLineFailure(expectedExitCode: 2);

        Assert.StartsWith("offgrid: " + sentence + " See 'offgrid ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RuntimeInstallFromAMissingFileIsAUsageError()
    {
        string missing = Path.Combine(_cli.Home, "missing.tgz");

        string line = (await _cli.RunAsync("runtime", "install", "--from", missing)).AssertOneLineFailure(expectedExitCode: 2);

        Assert.Equal($"offgrid: --from: {missing} does not exist. See 'offgrid runtime install --help'.", line);
    }

    [Fact]
    public async Task AnImportedModelAnswersToItsShortNameOffline()
    {
        string copy = Path.Combine(_cli.Home, "stories260K.gguf");
        File.Copy(TestPaths.Stories260K, copy);
        (await _cli.RunAsync("pull", copy)).AssertSuccess();

        CliResult run = await _cli.RunAsync("run", "stories260K", "--threads", "1", "Once upon a time", "--temperature", "0", "-n", "8");
        CliResult show = await _cli.RunAsync("show", "stories260K", "--json");

        run.AssertSuccess();
        Assert.StartsWith(", there was", run.Stdout, StringComparison.Ordinal);
        show.AssertSuccess();
        Assert.Equal(copy, System.Text.Json.JsonDocument.Parse(show.Stdout).RootElement.GetProperty("path").GetString());
    }

    [Fact]
    public async Task BenchOfAMissingModelFails()
    {
        (await _cli.RunAsync("bench", Path.Combine(_cli.Home, "none.gguf"))).AssertOneLineFailure();
    }

    public void Dispose() => _cli.Dispose();
}
