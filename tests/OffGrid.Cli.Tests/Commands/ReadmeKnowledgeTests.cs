using System.Diagnostics;
using System.Text.RegularExpressions;
using OffGrid.Cli.Tests.Readme;
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
        IReadOnlyList<string> blocks = ReadmeSection.ShellBlocks("Knowledge bases");
        Assert.Equal(2, blocks.Count);

        // The README runs from the repository root, with ../shared beside it and a folder docs/ of documents.
        string work = Directory.CreateDirectory(Path.Combine(_root, "repo")).FullName;
        Directory.CreateSymbolicLink(Path.Combine(_root, "shared"), TestPaths.SharedDir);
        KnowledgeCorpus.WriteFolder(Path.Combine(work, "docs"));

        (int cliExit, string cliOut, string cliErr) = await ReadmeSection.BashAsync(_cli, work, blocks[0]);
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
        (int serverExit, string serverOut, string serverErr) = await ReadmeSection.BashAsync(_cli, work, blocks[1].Replace("localhost:11611", address, StringComparison.Ordinal));
        await server.InterruptAsync();
        await server.WaitAsync();

        Assert.True(serverExit == 0, $"exit {serverExit}: {serverErr}");
        Assert.DoesNotContain("\"error\"", serverOut, StringComparison.Ordinal);
        Assert.Contains("\"object\":\"knowledge.collection\"", serverOut, StringComparison.Ordinal);
        Assert.Contains("\"status\":\"completed\"", serverOut, StringComparison.Ordinal);
        Assert.Contains("\"source\":\"guide.pdf\",\"page\":2", serverOut, StringComparison.Ordinal);
        Assert.Contains("\"sources\":[{\"index\":1", serverOut, StringComparison.Ordinal);
    }

    [GeneratedRegex("```bash\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ShellBlock();

    [GeneratedRegex(@"(?<url>http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningOn();
}
