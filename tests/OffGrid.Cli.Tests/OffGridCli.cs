using System.Diagnostics;
using System.Reflection;
using OffGrid.Inference.Runtime;
using OffGrid.Testing;

namespace OffGrid.Cli.Tests;

/// <summary>
/// Runs the real <c>offgrid</c> process (<c>dotnet offgrid.dll</c>) with a fresh OFFGRID_HOME per instance, the
/// llama.cpp runtime this test process installed (through OFFGRID_LLAMA_PATH, so no test downloads it again),
/// and an HF_ENDPOINT that does not resolve (as offline) unless a test points it at a loopback hub. Tests that generate pass
/// <c>--threads 1</c>: on a busy two-core machine, llama.cpp's spinning worker threads make generation many times slower.
/// </summary>
internal sealed class OffGridCli : IDisposable
{
    /// <summary>A Hub address whose name never resolves (the reserved .invalid domain): the Hub of an offline machine.</summary>
    public const string OfflineEndpoint = "http://offgrid-hub.invalid/";

    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(90);

    private static readonly Lazy<Task<LlamaRuntime>> s_runtime = new(() => LlamaRuntime.LoadAsync(new LlamaRuntimeOptions
    {
        InstallDirectory = Path.Combine(TestPaths.CacheDir, "runtime"),
        Variant = LlamaRuntimeVariant.Cpu,
    }));

    /// <summary>The built offgrid.dll.</summary>
    public static readonly string Assembly = typeof(OffGridCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "OffGridCliAssembly").Value!;

    /// <summary>The dotnet host that runs <see cref="Assembly"/>.</summary>
    public static readonly string Host = System.Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    public OffGridCli()
    {
        Home = TestPaths.NewTempDir("offgrid-cli");
        Environment["OFFGRID_HOME"] = Home;
        Environment["HF_ENDPOINT"] = OfflineEndpoint; // never resolves, as on a machine without network: any network use fails at once
        Environment["HF_TOKEN"] = null;
        Environment["NO_COLOR"] = "1";
    }

    /// <summary>The OFFGRID_HOME of this instance's processes.</summary>
    public string Home { get; }

    /// <summary>Variables set (or, when null, removed) in the child's environment.</summary>
    public Dictionary<string, string?> Environment { get; } = new(StringComparer.Ordinal);

    /// <summary>The network namespace the processes run in (through <c>ip netns exec</c>); the caller's own when null.</summary>
    public string? NetworkNamespace { get; set; }

    /// <summary>How long a process may run before it is killed. Default 90 s.</summary>
    public TimeSpan Timeout { get; set; } = s_timeout;

    /// <summary>The runtime this test process installed (once) and hands to every offgrid process.</summary>
    public static Task<LlamaRuntime> RuntimeAsync() => s_runtime.Value;

    public Task<CliResult> RunAsync(params string[] args) => RunWithInputAsync(null, args);

    /// <summary>Runs offgrid to completion with <paramref name="input"/> piped to its standard input.</summary>
    public async Task<CliResult> RunWithInputAsync(string? input, params string[] args)
    {
        using CliProcess process = await StartAsync(args);
        if (input is not null)
        {
            await process.Input.WriteAsync(input);
        }

        process.Input.Close();
        return await process.WaitAsync();
    }

    /// <summary>Starts offgrid with redirected streams; the caller drives standard input.</summary>
    public Task<CliProcess> StartAsync(params string[] args) => StartProcessAsync(Host, [Assembly, .. args], Timeout);

    /// <summary>
    /// Runs a bash script (<c>-euo pipefail</c>) in the repository root with this instance's environment, where
    /// <c>offgrid</c> on the PATH is this build of the CLI, as a user's installed tool would be (a command that execs, so
    /// that <c>$!</c> of <c>offgrid serve &amp;</c> is the server). Background jobs left running are stopped when it exits.
    /// </summary>
    public Task<CliProcess> StartBashAsync(string script, TimeSpan timeout)
    {
        string bin = Directory.CreateDirectory(Path.Combine(Home, "bin")).FullName;
        string tool = Path.Combine(bin, "offgrid");
        File.WriteAllText(tool, $"#!/bin/sh\nexec '{Host}' '{Assembly}' \"$@\"\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(tool, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        Environment["PATH"] = bin + Path.PathSeparator + System.Environment.GetEnvironmentVariable("PATH");
        string preamble = $"set -euo pipefail\ntrap 'kill $(jobs -p) 2>/dev/null || true' EXIT\ncd '{TestPaths.RepoRoot}'\n";
        return StartProcessAsync("bash", ["-c", preamble + script], timeout);
    }

    private async Task<CliProcess> StartProcessAsync(string program, IEnumerable<string> args, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(NetworkNamespace is null ? program : "ip")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (NetworkNamespace is not null)
        {
            start.ArgumentList.Add("netns");
            start.ArgumentList.Add("exec");
            start.ArgumentList.Add(NetworkNamespace);
            start.ArgumentList.Add(program);
        }

        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach ((string name, string? value) in await ChildEnvironmentAsync())
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

        return new CliProcess(Process.Start(start)!, timeout);
    }

    /// <summary>The variables an offgrid process gets on top of this process's (<see langword="null"/>: removed).</summary>
    public async Task<IReadOnlyList<KeyValuePair<string, string?>>> ChildEnvironmentAsync()
    {
        LlamaRuntime runtime = await RuntimeAsync();
        var variables = new Dictionary<string, string?>(StringComparer.Ordinal) { ["OFFGRID_LLAMA_PATH"] = runtime.LibraryDirectory };
        foreach ((string name, string? value) in Environment)
        {
            variables[name] = value;
        }

        return [.. variables];
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Home, recursive: true);
        }
        catch (IOException)
        {
            // A process killed on timeout may still hold a file; the temp folder is cleaned by the OS.
        }
    }
}
