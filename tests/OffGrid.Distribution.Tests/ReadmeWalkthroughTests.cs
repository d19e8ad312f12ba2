using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;
using OffGrid.Cli.Tests;
using OffGrid.Distribution.Tests.Packages;
using OffGrid.Inference.Runtime;
using OffGrid.Testing;
using OffGrid.Testing.HuggingFace;
using OffGrid.Testing.Network;

namespace OffGrid.Distribution.Tests;

/// <summary>
/// Runs the README's air-gapped walkthrough as written, with the only substitutions a reader makes: the stick's mount
/// point, the key id the first command printed, a loopback Hugging Face look-alike for the connected machine, and (as
/// root) a network namespace with no network at all for the offline machine.
/// </summary>
public sealed partial class ReadmeWalkthroughTests : IAsyncDisposable
{
    private const string Marker = "<!-- air-gapped walkthrough:";
    private const string ExampleKeyId = "3f2a91bc5d7e4f60a1b2c3d4e5f60718";
    private readonly string _root = TestPaths.NewTempDir("readme");
    private IsolatedLan? _offline;

    [Fact]
    public async Task TheAirGappedWalkthroughRunsAsWritten()
    {
        (List<string> connected, List<string> offline) = ReadWalkthrough();
        Assert.NotEmpty(connected);
        Assert.NotEmpty(offline);

        await using LoopbackHubServer hub = LoopbackHubServer.Start();
        hub.AddRepo(new LoopbackModelRepo { Id = "ggml-org/models", Files = { ["tinyllamas/stories260K.gguf"] = TestPaths.Stories260K } });
        string usb = Path.Combine(_root, "usb");
        Directory.CreateDirectory(usb);
        string connectedHome = Path.Combine(_root, "connected");
        await SeedRuntimeDownloadAsync(connectedHome);
        _ = ToolPackages.Cli; // 'package create' takes the offgrid package beside the build, as an installed tool takes its own

        string? keyId = null;
        var environment = new Dictionary<string, string?> { ["OFFGRID_HOME"] = connectedHome, ["HF_ENDPOINT"] = hub.BaseUri.ToString() };
        foreach (string line in connected)
        {
            CliResult result = await BashAsync(Substitute(line, usb, keyId), environment, defineOffGrid: true, offline: false);
            Assert.True(result.ExitCode == 0, $"'{line}' failed: {result.Stderr}{result.Stdout}");
            keyId ??= KeyId().Match(result.Stdout) is { Success: true } match ? match.Groups[1].Value : null;
        }

        Assert.NotNull(keyId);
        if (IsolatedLan.UnavailableReason() is null)
        {
            _offline = await IsolatedLan.CreateAsync("offline");
        }

        var offlineEnvironment = new Dictionary<string, string?>
        {
            ["OFFGRID_HOME"] = null,
            ["HF_ENDPOINT"] = "http://127.0.0.1:9/",
            ["NPM_CONFIG_REGISTRY"] = "http://127.0.0.1:9/",
            ["OFFGRID_LLAMA_PATH"] = null,
        };
        string output = string.Empty;
        foreach (string line in offline)
        {
            CliResult result = await BashAsync(Substitute(line, usb, keyId), offlineEnvironment, defineOffGrid: false, offline: true);
            Assert.True(result.ExitCode == 0, $"'{line}' failed: {result.Stderr}{result.Stdout}");
            output = result.Stdout;
        }

        // The README's run samples (no -t 0), so the story differs from run to run: any words will do.
        Assert.Matches(@"\w+ \w+ \w+ \w+ \w+", output);
        Assert.True(File.Exists(Path.Combine(_root, "home", ".local", "bin", "offgrid")));
    }

    public async ValueTask DisposeAsync()
    {
        if (_offline is not null)
        {
            await _offline.DisposeAsync();
        }

        Directory.Delete(_root, recursive: true);
    }

    /// <summary>Reads the bash block after the marker: the commands before the first blank line run on the connected machine, the rest offline.</summary>
    private static (List<string> Connected, List<string> Offline) ReadWalkthrough()
    {
        string[] lines = File.ReadAllLines(Path.Combine(TestPaths.RepoRoot, "README.md"));
        int start = Array.FindIndex(lines, l => l.StartsWith(Marker, StringComparison.Ordinal));
        Assert.True(start >= 0, "the README lost its walkthrough marker");
        var connected = new List<string>();
        var offline = new List<string>();
        List<string> current = connected;
        for (int i = start + 2; lines[i] != "```"; i++)
        {
            if (lines[i].Length == 0)
            {
                current = offline;
            }
            else if (!lines[i].StartsWith('#'))
            {
                current.Add(lines[i]);
            }
        }

        return (connected, offline);
    }

    private static string Substitute(string line, string usb, string? keyId) =>
        line.Replace("/media/usb", usb, StringComparison.Ordinal).Replace(ExampleKeyId, keyId ?? ExampleKeyId, StringComparison.Ordinal);

    private async Task<CliResult> BashAsync(string line, Dictionary<string, string?> environment, bool defineOffGrid, bool offline)
    {
        string cli = typeof(ToolPackages).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "OffGridCliAssembly").Value!;
        string script = (defineOffGrid ? $"offgrid() {{ dotnet '{cli}' \"$@\"; }}\n" : string.Empty) + "set -e\n" + line;
        var start = new ProcessStartInfo(offline && _offline is not null ? "ip" : "bash")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _root,
        };
        if (offline && _offline is not null)
        {
            foreach (string part in new[] { "netns", "exec", _offline.Namespace("offline"), "bash" })
            {
                start.ArgumentList.Add(part);
            }
        }

        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        start.Environment["HOME"] = Path.Combine(_root, "home");
        start.Environment["NO_COLOR"] = "1";
        foreach ((string name, string? value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        using var process = new CliProcess(Process.Start(start)!, TimeSpan.FromMinutes(3));
        process.Input.Close(); // a user at a terminal, not a pipe that never ends
        return await process.WaitAsync();
    }

    /// <summary>Puts the cached runtime tarball where the connected machine's download would leave it, so the walkthrough does not fetch it again.</summary>
    private static async Task SeedRuntimeDownloadAsync(string home)
    {
        RuntimePackage runtime = (await OffGridCli.RuntimeAsync()).Package ?? LlamaRuntimeCatalog.Find(LlamaRuntimeCatalog.CurrentPlatform, LlamaRuntimeVariant.Cpu)!;
        string downloads = Path.Combine(home, "runtime", "downloads");
        Directory.CreateDirectory(downloads);
        File.Copy(Path.Combine(TestPaths.CacheDir, "runtime", "downloads", runtime.TarballFileName), Path.Combine(downloads, runtime.TarballFileName));
    }

    [GeneratedRegex("publisher key ([0-9a-f]{32})")]
    private static partial Regex KeyId();
}
