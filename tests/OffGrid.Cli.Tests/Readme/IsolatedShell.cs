using System.Diagnostics;
using System.Text;

namespace OffGrid.Cli.Tests.Readme;

/// <summary>
/// Runs a bash script from the repository root, optionally in private Linux namespaces (util-linux <c>unshare</c>): a
/// network namespace with only loopback (nothing outside is reachable, and port 11611 is free whatever else runs on
/// the machine), and a PID namespace, so that every process the script started ends with it.
/// </summary>
internal static class IsolatedShell
{
    /// <summary>The output of a script.</summary>
    internal sealed record Result(int ExitCode, string Output)
    {
        public void AssertSuccess() => Assert.True(ExitCode == 0, $"exit code {ExitCode}:\n{Output}");
    }

    /// <summary>Whether this process may create the namespaces (root, or unprivileged user namespaces).</summary>
    public static bool CanIsolate { get; } = Run("unshare", "--net", "--pid", "--fork", "--mount-proc", "--map-root-user", "true") == 0
        || Run("unshare", "--net", "--pid", "--fork", "--mount-proc", "true") == 0;

    /// <summary>Whether this process runs as root (the deployment commands need it).</summary>
    public static bool IsRoot { get; } = Environment.UserName == "root";

    /// <summary>Runs <paramref name="script"/> with <c>set -euo pipefail</c>, stdout and stderr together, killed after <paramref name="timeout"/>.</summary>
    public static async Task<Result> RunAsync(string script, IReadOnlyDictionary<string, string> environment, TimeSpan timeout, bool isolated)
    {
        var start = new ProcessStartInfo(isolated ? "unshare" : "bash") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = OffGrid.Testing.TestPaths.RepoRoot };
        if (isolated)
        {
            foreach (string arg in (string[])["--net", "--pid", "--fork", "--mount-proc", .. IsRoot ? Array.Empty<string>() : ["--map-root-user"], "bash"])
            {
                start.ArgumentList.Add(arg);
            }

            script = "ip link set lo up\n" + script;
        }

        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("set -euo pipefail\n" + script);
        foreach ((string name, string value) in environment)
        {
            start.Environment[name] = value;
        }

        // Builds started by `dotnet run` and `dotnet pack` leave no MSBuild nodes behind.
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_DO_NOT_USE_MSBUILD_SERVER"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";

        using Process process = Process.Start(start)!;
        process.StandardInput.Close(); // as in CI: nothing to read
        var output = new StringBuilder();
        Task pumpOut = PumpAsync(process.StandardOutput, output);
        Task pumpErr = PumpAsync(process.StandardError, output);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cancel.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            Assert.Fail($"The script ran longer than {timeout}:\n{script}\n{output}");
        }

        await Task.WhenAll(pumpOut, pumpErr);
        lock (output)
        {
            return new Result(process.ExitCode, output.ToString());
        }
    }

    private static int Run(string file, params string[] args)
    {
        try
        {
            using Process process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            process.WaitForExit();
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1;
        }
    }

    private static async Task PumpAsync(StreamReader reader, StringBuilder sink)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (sink)
            {
                sink.AppendLine(line);
            }
        }
    }
}
