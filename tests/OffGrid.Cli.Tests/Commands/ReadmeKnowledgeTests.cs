using System.Diagnostics;
using System.Text.RegularExpressions;
using OffGrid.Rag.Tests.TestSupport;
using OffGrid.Testing;

namespace OffGrid.Cli.Tests.Commands;

/// <summary>Runs the shell blocks of the README's "Knowledge bases" section as written, with bash, against the real CLI and server.</summary>
public sealed partial class ReadmeKnowledgeTests : IDisposable
{
    private readonly OffGridCli _cli = new();
    private readonly string _root = TestPaths.NewTempDir("offgrid-readme-kb");

    public void Dispose()
    {
        _cli.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task TheKnowledgeSectionsCommandsRunAsWritten()
    {
        string[] blocks = [.. ShellBlock().Matches(Section()).Select(m => m.Groups[1].Value)];
        Assert.Equal(2, blocks.Length);

        // The README runs from the repository root, with ../shared beside it and a folder docs/ of documents.
        string work = Directory.CreateDirectory(Path.Combine(_root, "repo")).FullName;
        Directory.CreateSymbolicLink(Path.Combine(_root, "shared"), TestPaths.SharedDir);
        KnowledgeCorpus.WriteFolder(Path.Combine(work, "docs"));

        (int cliExit, string cliOut, string cliErr) = await BashAsync(work, blocks[0]);
        Assert.True(cliExit == 0, $"exit {cliExit}: {cliErr}\n{cliOut}");
        Assert.Contains("manuals: 3 added", cliOut, StringComparison.Ordinal);
        Assert.Contains("manuals: 0 added, 0 updated, 3 unchanged", cliOut, StringComparison.Ordinal);
        // stories260K's vectors carry little meaning, so only the keyword side is sure to rank; the page is checked.
        Assert.Contains("(guide.pdf, page 2)", cliOut, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^\[\d\] ", cliOut);
        Assert.Contains("Sources:", cliOut, StringComparison.Ordinal);
        Assert.Contains("Removed manuals.", cliOut, StringComparison.Ordinal);

        using CliProcess server = await _cli.StartAsync("serve", "--port", "0", "--Server:Models:stories=" + TestPaths.Stories260K, "--Server:Pool:Engine:ContextSize", "512");
        await server.WaitForOutputAsync(output => ListeningOn().IsMatch(output));
        string address = new Uri(ListeningOn().Match(server.Stdout).Groups["url"].Value).Authority;
        (int serverExit, string serverOut, string serverErr) = await BashAsync(work, blocks[1].Replace("localhost:11611", address, StringComparison.Ordinal));
        await server.InterruptAsync();
        await server.WaitAsync();

        Assert.True(serverExit == 0, $"exit {serverExit}: {serverErr}");
        Assert.DoesNotContain("\"error\"", serverOut, StringComparison.Ordinal);
        Assert.Contains("\"object\":\"knowledge.collection\"", serverOut, StringComparison.Ordinal);
        Assert.Contains("\"status\":\"completed\"", serverOut, StringComparison.Ordinal);
        Assert.Contains("\"source\":\"guide.pdf\",\"page\":2", serverOut, StringComparison.Ordinal);
        Assert.Contains("\"sources\":[{\"index\":1", serverOut, StringComparison.Ordinal);
    }

    private static string Section()
    {
        string readme = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "README.md"));
        int start = readme.IndexOf("\n## Knowledge bases", StringComparison.Ordinal);
        int end = readme.IndexOf("\n## ", start + 5, StringComparison.Ordinal);
        return readme[start..end];
    }

    /// <summary>Runs a README block with bash; <c>offgrid</c> is the CLI under test, with this test's OFFGRID_HOME and runtime.</summary>
    private async Task<(int ExitCode, string Stdout, string Stderr)> BashAsync(string directory, string block)
    {
        var start = new ProcessStartInfo("bash") { WorkingDirectory = directory, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-eo");
        start.ArgumentList.Add("pipefail");
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"offgrid() {{ '{OffGridCli.Host}' '{OffGridCli.Assembly}' \"$@\"; }}\n{block}");
        start.Environment["OFFGRID_LLAMA_PATH"] = (await OffGridCli.RuntimeAsync()).LibraryDirectory;
        foreach ((string name, string? value) in _cli.Environment)
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

    [GeneratedRegex(@"(?<url>http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningOn();
}
