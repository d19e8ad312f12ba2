using System.Diagnostics;
using System.Text.RegularExpressions;
using OffGrid.Testing;

namespace OffGrid.Cli.Tests.Readme;

/// <summary>A section of README.md (from its <c>## heading</c> to the next) and a way to run its shell blocks as written.</summary>
internal static partial class ReadmeSection
{
    /// <summary>The <c>```bash</c> blocks of the section headed <c>## <paramref name="heading"/></c>, in order.</summary>
    public static IReadOnlyList<string> ShellBlocks(string heading)
    {
        string readme = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "README.md"));
        int start = readme.IndexOf("\n## " + heading, StringComparison.Ordinal);
        int end = readme.IndexOf("\n## ", start + 5, StringComparison.Ordinal);
        return [.. ShellBlock().Matches(readme[start..(end < 0 ? readme.Length : end)]).Select(m => m.Groups[1].Value)];
    }

    /// <summary>Runs a README block with bash; <c>offgrid</c> is the CLI under test, with <paramref name="cli"/>'s environment (OFFGRID_HOME) and the test runtime.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> BashAsync(OffGridCli cli, string directory, string block)
    {
        var start = new ProcessStartInfo("bash") { WorkingDirectory = directory, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-eo");
        start.ArgumentList.Add("pipefail");
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"offgrid() {{ '{OffGridCli.Host}' '{OffGridCli.Assembly}' \"$@\"; }}\n{block}");
        start.Environment["OFFGRID_LLAMA_PATH"] = (await OffGridCli.RuntimeAsync()).LibraryDirectory;
        foreach ((string name, string? value) in cli.Environment)
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

        using Process bash = Process.Start(start)!;

        // As from a terminal with nothing typed: `offgrid run` would otherwise wait for piped input.
        bash.StandardInput.Close();
        Task<string> stdout = bash.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        Task<string> stderr = bash.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(5));
        try
        {
            await bash.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            bash.Kill(entireProcessTree: true);
            throw;
        }

        return (bash.ExitCode, await stdout, await stderr);
    }

    [GeneratedRegex("```bash\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ShellBlock();
}
