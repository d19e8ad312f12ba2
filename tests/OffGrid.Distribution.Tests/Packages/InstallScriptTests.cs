using System.Diagnostics;
using System.Text.Json;
using OffGrid.Cli.Tests;
using OffGrid.Inference.Runtime;
using OffGrid.Testing;
using OffGrid.Testing.LlamaCpp;
using OffGrid.Testing.Network;

namespace OffGrid.Distribution.Tests.Packages;

/// <summary>
/// The generated install.sh, for real: a package made by the offgrid process on one home, installed with
/// <c>sh install.sh</c> into a temporary prefix and a fresh OFFGRID_HOME without any network (inside a network
/// namespace of its own when running as root), then the installed offgrid runs the model.
/// </summary>
public sealed class InstallScriptTests : IAsyncLifetime
{
    private readonly OffGridCli _publisher = new();
    private readonly string _root = TestPaths.NewTempDir("install");
    private IsolatedLan? _offline;
    private string _package = null!;
    private string _keyId = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        RuntimePackage runtime = (await OffGridCli.RuntimeAsync()).Package ?? LlamaRuntimeCatalog.Find(LlamaRuntimeCatalog.CurrentPlatform, LlamaRuntimeVariant.Cpu)!;
        string downloads = Path.Combine(_publisher.Home, "runtime", "downloads");
        Directory.CreateDirectory(downloads);
        File.Copy(Path.Combine(TestPaths.CacheDir, "runtime", "downloads", runtime.TarballFileName), Path.Combine(downloads, runtime.TarballFileName));

        (await _publisher.RunAsync("package", "key", "generate", "--name", "Acme IT")).AssertSuccess();
        (await _publisher.RunAsync("pull", TestPaths.Stories260K)).AssertSuccess();
        _package = Path.Combine(_root, "usb");
        CliResult created = await _publisher.RunAsync("package", "create", _package, "--model", "local/stories260K", "--runtime", runtime.Platform, "--tool", ToolPackages.Cli, "--json");
        created.AssertSuccess();
        using JsonDocument result = JsonDocument.Parse(created.Stdout);
        _keyId = result.RootElement.GetProperty("key_id").GetString()!;

        if (IsolatedLan.UnavailableReason() is null)
        {
            _offline = await IsolatedLan.CreateAsync("offline");
        }
    }

    public async ValueTask DisposeAsync()
    {
        _publisher.Dispose();
        if (_offline is not null)
        {
            await _offline.DisposeAsync();
        }

        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task TheShellInstallerInstallsOfflineRunsDoctorAndTheModelRuns()
    {
        string prefix = Path.Combine(_root, "prefix");
        string home = Path.Combine(_root, "target");

        CliResult install = await RunOfflineAsync(home, "sh", Path.Combine(_package, "install.sh"), "--prefix", prefix, "--publisher-key-id", _keyId);

        install.AssertSuccess();
        Assert.Contains("Trusted Acme IT", install.Stdout, StringComparison.Ordinal);
        Assert.Contains("local/stories260K", install.Stdout, StringComparison.Ordinal);
        Assert.Contains($"loaded from {Path.Combine(home, "runtime")}", install.Stdout, StringComparison.Ordinal); // offgrid doctor
        Assert.Contains($"is installed: {Path.Combine(prefix, "bin", "offgrid")}", install.Stdout, StringComparison.Ordinal);

        CliResult run = await RunOfflineAsync(home, Path.Combine(prefix, "bin", "offgrid"), "run", "local/stories260K", "Once upon a time", "--threads", "1", "--temperature", "0", "-n", "20");
        run.AssertSuccess();
        Assert.Contains("Lily", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ThePowerShellInstallerInstallsOfflineToo()
    {
        string pwsh = PowerShell();
        string prefix = Path.Combine(_root, "prefix-ps");
        string home = Path.Combine(_root, "target-ps");

        CliResult install = await RunOfflineAsync(home, pwsh, "-NoProfile", "-NonInteractive", "-File", Path.Combine(_package, "install.ps1"), "-Prefix", prefix, "-PublisherKeyId", _keyId);

        install.AssertSuccess();
        Assert.Contains($"loaded from {Path.Combine(home, "runtime")}", install.Stdout, StringComparison.Ordinal);
        CliResult run = await RunOfflineAsync(home, Path.Combine(prefix, "bin", "offgrid"), "run", "local/stories260K", "Once upon a time", "--threads", "1", "--temperature", "0", "-n", "20");
        run.AssertSuccess();
        Assert.Contains("Lily", run.Stdout, StringComparison.Ordinal);

        await File.AppendAllTextAsync(Path.Combine(_package, "install.sh"), "\n", Ct);
        CliResult altered = await RunOfflineAsync(Path.Combine(_root, "target-ps-altered"), pwsh, "-NoProfile", "-NonInteractive", "-File", Path.Combine(_package, "install.ps1"), "-Prefix", Path.Combine(_root, "prefix-ps-altered"));
        Assert.Equal(1, altered.ExitCode);
        Assert.Contains("install.sh was altered or damaged", altered.Stderr + altered.Stdout, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_root, "prefix-ps-altered")));
    }

    [Fact]
    public async Task TheShellInstallerRefusesAnAlteredPackageBeforeInstallingAnything()
    {
        string prefix = Path.Combine(_root, "prefix-altered");
        string home = Path.Combine(_root, "target-altered");
        await File.AppendAllTextAsync(Path.Combine(_package, "publisher.pub"), "# appended", Ct);

        CliResult install = await RunOfflineAsync(home, "sh", Path.Combine(_package, "install.sh"), "--prefix", prefix, "--publisher-key-id", _keyId);

        Assert.Equal(1, install.ExitCode);
        Assert.Contains("the package is damaged or was altered", install.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(prefix));
        Assert.False(Directory.Exists(home));
    }

    [Fact]
    public async Task TheShellInstallerRefusesAWrongKeyIdAndUnknownOptions()
    {
        string home = Path.Combine(_root, "target-key");

        CliResult wrongKey = await RunOfflineAsync(home, "sh", Path.Combine(_package, "install.sh"), "--prefix", Path.Combine(_root, "prefix-key"), "--publisher-key-id", new string('0', 32));
        CliResult unknown = await RunOfflineAsync(home, "sh", Path.Combine(_package, "install.sh"), "--prefx", "/tmp");

        Assert.Equal(1, wrongKey.ExitCode);
        Assert.Contains("not the key the publisher told you about", wrongKey.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(home, "models")));
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("unknown option '--prefx'", unknown.Stderr, StringComparison.Ordinal);
    }

    /// <summary>PowerShell (the .NET global tool, from the NuGet feed), installed once into the test cache.</summary>
    private static string PowerShell()
    {
        string folder = Path.Combine(TestPaths.CacheDir, "pwsh");
        string pwsh = Path.Combine(folder, "pwsh");
        if (!File.Exists(pwsh))
        {
            try
            {
                ExternalCommand.Run("dotnet", ["tool", "install", "PowerShell", "--version", "7.6.9", "--tool-path", folder], TestPaths.CacheDir, TimeSpan.FromMinutes(5));
            }
            catch (InvalidOperationException ex)
            {
                Assert.Skip("PowerShell could not be installed from the NuGet feed: " + ex.Message.Split('\n')[0]);
            }
        }

        return pwsh;
    }

    /// <summary>Runs a command as a user of an offline machine: no registry, no hub, no runtime from the test, and (as root) no network at all.</summary>
    private async Task<CliResult> RunOfflineAsync(string home, string command, params string[] args)
    {
        var start = new ProcessStartInfo(_offline is null ? command : "ip") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (_offline is not null)
        {
            foreach (string part in new[] { "netns", "exec", _offline.Namespace("offline"), command })
            {
                start.ArgumentList.Add(part);
            }
        }
        else
        {
            start.FileName = command;
        }

        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["OFFGRID_HOME"] = home;
        start.Environment["HOME"] = Path.Combine(_root, "user");
        start.Environment["NPM_CONFIG_REGISTRY"] = "http://127.0.0.1:9/";
        start.Environment["HF_ENDPOINT"] = "http://127.0.0.1:9/";
        start.Environment["NO_COLOR"] = "1";
        start.Environment.Remove("OFFGRID_LLAMA_PATH");
        using var process = new CliProcess(Process.Start(start)!, TimeSpan.FromMinutes(3));
        process.Input.Close(); // a user at a terminal, not a pipe that never ends
        return await process.WaitAsync();
    }
}
