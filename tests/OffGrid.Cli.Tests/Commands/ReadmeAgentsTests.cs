using System.Text.Json;
using OffGrid.Cli.Tests.Readme;
using OffGrid.Testing;

namespace OffGrid.Cli.Tests.Commands;

/// <summary>Runs the shell block of the README's "Agents" section as written, with bash, against the real CLI and stories260K.</summary>
public sealed class ReadmeAgentsTests : IDisposable
{
    /// <summary>The section's commands, as <c>ReadmeCommandsTests</c> lists every README command.</summary>
    public static readonly string[] Commands =
    [
        "offgrid agent list",
        "offgrid agent show researcher",
        "offgrid agent run creative \"Once upon a time\" -m ../shared/models/stories260K.gguf -n 48",
        "offgrid agent run creative \"Once upon a time\" -m ../shared/models/stories260K.gguf -n 24 --mode sequential --agents creative,analyst",
        "offgrid agent run analyst \"A story about a cat\" -m ../shared/models/stories260K.gguf -n 24 --mode parallel --agents creative,coder",
        "offgrid agent run analyst \"Is a dog better than a cat?\" -m ../shared/models/stories260K.gguf -n 16 --mode debate --agents creative,coder --rounds 2",
        "offgrid agent run analyst \"One word for happy\" -m ../shared/models/stories260K.gguf -n 4 --mode voting --agents creative,coder,researcher --json",
        "offgrid agent run analyst \"Plan a picnic\" -m ../shared/models/stories260K.gguf -n 24 --mode hierarchy --agents creative,coder",
    ];

    private readonly OffGridCli _cli = new();
    private readonly string _root = TestPaths.NewTempDir("offgrid-readme-agents");

    public void Dispose()
    {
        _cli.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task TheAgentsSectionsCommandsRunAsWritten()
    {
        string block = Assert.Single(ReadmeSection.ShellBlocks("Agents"));
        Assert.Equal(Commands, block.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        // The README runs from the repository root, with ../shared beside it.
        string work = Directory.CreateDirectory(Path.Combine(_root, "repo")).FullName;
        Directory.CreateSymbolicLink(Path.Combine(_root, "shared"), TestPaths.SharedDir);
        (int exit, string stdout, string stderr) = await ReadmeSection.BashAsync(_cli, work, block);

        Assert.True(exit == 0, $"exit {exit}: {stderr}\n{stdout}");
        Assert.Contains("researcher", stdout, StringComparison.Ordinal);
        Assert.Contains("== creative (turn 0) ==", stdout, StringComparison.Ordinal);
        Assert.Contains("== analyst (turn 1) ==", stdout, StringComparison.Ordinal);
        Assert.Contains("== final (analyst) ==", stdout, StringComparison.Ordinal);
        Assert.Contains("[analyst] final answer", stderr, StringComparison.Ordinal);
        // Voting's --json: the answer is one of the three agents' messages.
        int json = stdout.IndexOf("{\n  \"id\": \"run_", StringComparison.Ordinal);
        JsonElement voting = JsonDocument.Parse(stdout[json..stdout.IndexOf("\n}\n", json, StringComparison.Ordinal)] + "\n}").RootElement;
        Assert.Equal("completed", voting.GetProperty("status").GetString());
        Assert.Contains(voting.GetProperty("steps").EnumerateArray(), s => s.GetProperty("type").GetString() == "message" && s.GetProperty("text").GetString() == voting.GetProperty("answer").GetString());
    }
}
