using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Reflection;

namespace OffGrid.Server.Tests.Hosting;

/// <summary>The real <c>offgrid-server</c> process: what a user sees when it cannot start.</summary>
public sealed class ServerProcessTests
{
    private static readonly string s_assembly = typeof(ServerProcessTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "OffGridServerAssembly").Value!;

    [Fact]
    public async Task APortInUseIsOneLineAndExitCode1()
    {
        using var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        int port = ((IPEndPoint)busy.LocalEndpoint).Port;

        (int exitCode, string stderr) = await RunAsync($"--Server:Port={port.ToString(CultureInfo.InvariantCulture)}");

        Assert.Equal(1, exitCode);
        string line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal($"offgrid-server: 127.0.0.1:{port} is already in use; stop the other server or choose another port (--port, or --Server:Port).", line);
    }

    [Fact]
    public async Task InvalidSettingsAreOneLineEachAndExitCode2()
    {
        (int exitCode, string stderr) = await RunAsync("--Server:Port=70000", "--Server:Models:ghost=/nowhere/ghost.gguf");

        Assert.Equal(2, exitCode);
        string[] lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.All(lines, l => Assert.StartsWith("offgrid-server: Server:", l, StringComparison.Ordinal));
    }

    [Fact]
    public async Task SingleUserModeOnEveryInterfaceIsRefusedInOneLine()
    {
        (int exitCode, string stderr) = await RunAsync("--Server:Host=*", "--Server:Port=0");

        Assert.Equal(2, exitCode);
        string line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("offgrid-server: Server:Host '*' serves other machines, but Server:Auth:Mode is SingleUser (no API keys), which serves loopback only.", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--Server:Port=eighty", "Server:Port is 'eighty': expected a whole number.")]
    [InlineData("--Server:Isolation=Bogus", "Server:Isolation is 'Bogus': expected InProcess or Process.")]
    [InlineData("--Server:Pool:Engine:CacheTypeK=bogus", "Server:Pool:Engine:CacheTypeK is 'bogus': expected a KV cache type llama.cpp accepts: f32, f16, bf16, q8_0, q4_0, q4_1, iq4_nl, q5_0, q5_1.")]
    [InlineData("--Server:Pool:Engine:CacheTypeK=q2_k", "Server:Pool:Engine:CacheTypeK q2_k is not a KV cache type llama.cpp accepts")]
    [InlineData("--Server:Pool:Engnie:ContextSize=4096", "Server:Pool:Engnie:ContextSize is not a setting: Server:Pool has no 'Engnie'. Did you mean Server:Pool:Engine?")]
    [InlineData("--Server:Pool:Engine:ContextSzie=4096", "Server:Pool:Engine:ContextSzie is not a setting: Server:Pool:Engine has no 'ContextSzie'. Did you mean Server:Pool:Engine:ContextSize?")]
    [InlineData("--Sever:Port=8080", "--Sever:Port is not a setting: there is no section 'Sever'. Did you mean --Server:Port?")]
    [InlineData("--Hub:ModelDirectory=/models", "Hub:ModelDirectory is not a setting: Hub has no 'ModelDirectory'. Did you mean Hub:ModelsDirectory?")]
    [InlineData("--Server:Pool:Engine:Speculation:DraftModelPath=nosuch", "Server:Pool:Engine:Speculation:DraftModelPath is 'nosuch': Unknown model 'nosuch'")]
    [InlineData("--Server:Backends:x:Kind=bogus", "Server:Backends:x:Kind is 'bogus': expected OpenAi, Ollama or OffGrid.")]
    [InlineData("--Server:Backends:x:Kind=", "Server:Backends:x:Kind is '': expected OpenAi, Ollama or OffGrid.")]
    [InlineData("--Server:Backends:x:ConnectTimeout=banana", "Server:Backends:x:ConnectTimeout is 'banana': expected a duration")]
    [InlineData("--Server:Pool:MaxLoadedModels=0", "Server:Pool:MaxLoadedModels is 0: expected 1 or more.")]
    [InlineData("--Server:Pool:Engine:Threads=0", "Server:Pool:Engine:Threads is 0: expected 1 or more, or unset to follow the free cores.")]
    [InlineData("--Server:Pool:Engine:BatchSize=-5", "Server:Pool:Engine:BatchSize is -5: expected 1 or more.")]
    [InlineData("--Server:Pool:Engine:ContextSize=2147483600", "Server:Pool:Engine:ContextSize is 2147483600: times ParallelSequences")]
    [InlineData("--Server:Pool:MemoryBudgetBytes=-1", "Server:Pool:MemoryBudgetBytes is -1: expected 1 or more")]
    [InlineData("--Server:Preload:0=missing", "Server:Preload:0 is 'missing': Unknown model 'missing'")]
    public async Task ASettingThatCannotBeUsedIsOneLineNamingItAndExitCode2(string setting, string sentence)
    {
        (int exitCode, string stderr) = await RunAsync("--Server:Port=0", "--Server:Backends:x:Endpoint=http://127.0.0.1:9/", setting);

        Assert.Equal(2, exitCode);
        string line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("offgrid-server: " + sentence, line, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"OffGrid\.\w", line); // no .NET type names
    }

    [Fact]
    public async Task AMisspelledSettingInTheEnvironmentIsOneLineAndExitCode2()
    {
        (int exitCode, _, string stderr) = await RunWithOutputAsync(new Dictionary<string, string> { ["Server__Pool__Engine__ContextSzie"] = "4096" }, "--Server:Port=0");

        Assert.Equal(2, exitCode);
        Assert.Equal(
            "offgrid-server: Server:Pool:Engine:ContextSzie is not a setting: Server:Pool:Engine has no 'ContextSzie'. Did you mean Server:Pool:Engine:ContextSize?",
            Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact]
    public async Task AQuantizedValueCacheWithoutFlashAttentionIsOneLineAndExitCode2()
    {
        (int exitCode, string stderr) = await RunAsync("--Server:Port=0", "--Server:Pool:Engine:CacheTypeV=q8_0", "--Server:Pool:Engine:FlashAttention=false");

        Assert.Equal(2, exitCode);
        Assert.Equal(
            "offgrid-server: Server:Pool:Engine:CacheTypeV q8_0 needs flash attention: llama.cpp stores a quantized value cache only with it; turn FlashAttention on or leave it on auto.",
            Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact]
    public async Task APromptCacheFolderThatIsAFileIsOneLineAndExitCode2()
    {
        string file = Path.GetTempFileName();
        try
        {
            (int exitCode, string stderr) = await RunAsync("--Server:Port=0", "--Server:Pool:Engine:PromptCache:Enabled=true", $"--Server:Pool:Engine:PromptCache:Directory={file}");

            Assert.Equal(2, exitCode);
            string line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith($"offgrid-server: Server:Pool:Engine:PromptCache: the prompt cache folder '{file}' cannot be used: ", line, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData(new[] { "--prot", "8080" }, "Unrecognized option '--prot'. Configuration switches name their section, such as --Server:Pool:KeepAlive 00:30:00.")]
    [InlineData(new[] { "models" }, "Unrecognized argument 'models': expected configuration switches such as --Server:Pool:KeepAlive 00:30:00.")]
    [InlineData(new[] { "--Server:Port=0", "--Server:Preload" }, "The configuration switch '--Server:Preload' needs a value (--Server:Preload=value, or --Server:Preload value).")]
    public async Task ATokenThatIsNotAConfigurationSwitchIsAUsageError(string[] args, string sentence)
    {
        (int exitCode, string stderr) = await RunAsync(args);

        Assert.Equal(2, exitCode);
        Assert.Equal("offgrid-server: " + sentence, Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public async Task HelpPrintsTheMainSwitchesAndExits0(string help)
    {
        (int exitCode, string stdout, string stderr) = await RunWithOutputAsync(help);

        Assert.Equal(0, exitCode);
        Assert.Empty(stderr);
        Assert.StartsWith("Usage: offgrid-server", stdout, StringComparison.Ordinal);
        foreach (string option in new[] { "--Server:Port", "--Server:Host", "--Server:Models:<name>", "--Server:ModelDirectories:0", "--Server:Preload:0", "--Server:Isolation", "--Server:Pool:", "--Server:Pool:Engine:Speculation:DraftModelPath", "--Server:Backends:", "--Server:Auth:Mode", "README.md" })
        {
            Assert.Contains(option, stdout, StringComparison.Ordinal);
        }
    }

    private static async Task<(int ExitCode, string Stderr)> RunAsync(params string[] args)
    {
        (int exitCode, _, string stderr) = await RunWithOutputAsync(args);
        return (exitCode, stderr);
    }

    private static Task<(int ExitCode, string Stdout, string Stderr)> RunWithOutputAsync(params string[] args) =>
        RunWithOutputAsync(new Dictionary<string, string>(), args);

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunWithOutputAsync(Dictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            Environment = { ["OFFGRID_HOME"] = Path.Combine(Path.GetTempPath(), "offgrid-server-process-" + Guid.NewGuid().ToString("N")) },
        };
        foreach ((string name, string value) in environment)
        {
            start.Environment[name] = value;
        }

        start.ArgumentList.Add(s_assembly);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start)!;
        Task<string> stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(1));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
