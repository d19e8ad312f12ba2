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
    public async Task InvalidSettingsAreOneLineEachAndExitCode1()
    {
        (int exitCode, string stderr) = await RunAsync("--Server:Port=70000", "--Server:Models:ghost=/nowhere/ghost.gguf");

        Assert.Equal(1, exitCode);
        string[] lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.All(lines, l => Assert.StartsWith("offgrid-server: Server:", l, StringComparison.Ordinal));
    }

    [Fact]
    public async Task SingleUserModeOnEveryInterfaceIsRefusedInOneLine()
    {
        (int exitCode, string stderr) = await RunAsync("--Server:Host=*", "--Server:Port=0");

        Assert.Equal(1, exitCode);
        string line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("offgrid-server: Server:Host '*' serves other machines, but Server:Auth:Mode is SingleUser (no API keys), which serves loopback only.", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASettingOfTheWrongTypeIsOneLineAndExitCode1()
    {
        (int exitCode, string stderr) = await RunAsync("--Server:Port=eighty");

        Assert.Equal(1, exitCode);
        string line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("offgrid-server: ", line, StringComparison.Ordinal);
        Assert.Contains("eighty", line);
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
        foreach (string option in new[] { "--Server:Port", "--Server:Host", "--Server:Models:<name>", "--Server:ModelDirectories:0", "--Server:Preload:0", "--Server:Isolation", "--Server:Pool:", "--Server:Backends:", "--Server:Auth:Mode", "README.md" })
        {
            Assert.Contains(option, stdout, StringComparison.Ordinal);
        }
    }

    private static async Task<(int ExitCode, string Stderr)> RunAsync(params string[] args)
    {
        (int exitCode, _, string stderr) = await RunWithOutputAsync(args);
        return (exitCode, stderr);
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunWithOutputAsync(params string[] args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            Environment = { ["OFFGRID_HOME"] = Path.Combine(Path.GetTempPath(), "offgrid-server-process-" + Guid.NewGuid().ToString("N")) },
        };
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
