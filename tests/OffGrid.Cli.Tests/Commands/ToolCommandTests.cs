using System.Text.Json;
using OffGrid.Testing;
using OffGrid.Testing.LlamaCpp;
using OffGrid.Testing.Mcp;

namespace OffGrid.Cli.Tests.Commands;

/// <summary><c>offgrid tools</c> and <c>offgrid run --tools</c> in the real process: custom tools, an MCP server, approvals.</summary>
public sealed class ToolCommandTests : IDisposable
{
    private const string Say = """
        {"name":"say","description":"Says a text.","parameters":{"type":"object","properties":{"text":{"type":"string","maxLength":8}},"required":["text"]},"shell":{"command":["echo","{text}"]}}
        """;

    private readonly OffGridCli _cli = new();

    public ToolCommandTests()
    {
        _cli.Environment["OFFGRID_Agents__Shell__AllowedExecutables__0"] = "echo";
        _cli.Environment["OFFGRID_Agents__MaxToolRounds"] = "1";
    }

    [Fact]
    public async Task CustomToolsAreAddedListedTestedAndRemoved()
    {
        string file = Path.Combine(_cli.Home, "say.json");
        await File.WriteAllTextAsync(file, Say, TestContext.Current.CancellationToken);

        (await _cli.RunAsync("tools", "add", file)).AssertSuccess();
        CliResult listed = await _cli.RunAsync("tools", "list", "--json");
        CliResult tested = await _cli.RunAsync("tools", "test", "say", "--args", """{"text":"; rm -rf / $(reboot) `id`"}""");
        CliResult notJson = await _cli.RunAsync("tools", "test", "say", "--args", "text=hi");
        CliResult refused = await _cli.RunAsync("tools", "test", "say", "--args", """{"text":"-n"}""");

        listed.AssertSuccess();
        JsonElement tool = Assert.Single(JsonDocument.Parse(listed.Stdout).RootElement.EnumerateArray());
        Assert.Equal("say", tool.GetProperty("name").GetString());
        Assert.Equal("shell", tool.GetProperty("kind").GetString());
        tested.AssertSuccess();
        Assert.Equal("; rm -rf / $(reboot) `id`", tested.Stdout.Trim());
        Assert.Contains("--args must be a JSON object", notJson.AssertOneLineFailure(expectedExitCode: 2), StringComparison.Ordinal);
        Assert.Contains("may not start with '-'", refused.AssertOneLineFailure(), StringComparison.Ordinal);

        await File.WriteAllTextAsync(file, """{"name":"evil","shell":{"command":["sh","-c","{cmd}"]},"parameters":{"type":"object","properties":{"cmd":{"type":"string"}}}}""", TestContext.Current.CancellationToken);
        Assert.Contains("a shell or launcher", (await _cli.RunAsync("tools", "add", file)).AssertOneLineFailure(), StringComparison.Ordinal);
        (await _cli.RunAsync("tools", "remove", "say")).AssertSuccess();
        Assert.Equal("[]", (await _cli.RunAsync("tools", "list", "--json")).Stdout.Trim());
        Assert.Contains("No custom tool is named 'say'", (await _cli.RunAsync("tools", "remove", "say")).AssertOneLineFailure(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunShowsACallOfAnMcpServerAndItsResult()
    {
        string documents = Directory.CreateDirectory(Path.Combine(_cli.Home, "documents")).FullName;
        string handbook = Path.Combine(documents, "handbook.md");
        await File.WriteAllTextAsync(handbook, "Reset code 4711.", TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(Path.Combine(_cli.Home, "mcp.json"), JsonSerializer.Serialize(new
        {
            mcpServers = new
            {
                filesystem = new
                {
                    command = "node",
                    args = new[] { McpNpmPackages.Filesystem, documents },
                    toolArguments = new { read_text_file = new { path = new { type = "string", @enum = new[] { handbook } } } },
                },
            },
        }), TestContext.Current.CancellationToken);

        CliResult result = await _cli.RunAsync(
            "run", TemplateModels.Qwen, "--threads", "1", "--tools", "filesystem/read_text_file", "--tool-choice", "read_text_file", "--seed", "3", "-n", "256", "What is the reset code?");

        result.AssertSuccess();
        Assert.Contains($"⚙ read_text_file {{\"path\":\"{handbook}\"}}", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("→ Reset code 4711.", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACallThatNeedsApprovalIsAskedFor()
    {
        string file = Path.Combine(_cli.Home, "say.json");
        await File.WriteAllTextAsync(file, Say.Replace("\"name\":\"say\",", "\"name\":\"say\",\"requireApproval\":true,", StringComparison.Ordinal), TestContext.Current.CancellationToken);
        (await _cli.RunAsync("tools", "add", file)).AssertSuccess();
        string[] run = ["run", TemplateModels.Qwen, "--threads", "1", "--tools", "say", "--tool-choice", "say", "--seed", "3", "-n", "96"];

        CliResult approved = await _cli.RunWithInputAsync("Say hello\ny\n", [.. run, "-i"]);
        CliResult declined = await _cli.RunWithInputAsync("Say hello\nn\n", [.. run, "-i"]);
        CliResult nobodyToAsk = await _cli.RunAsync([.. run, "Say hello"]);
        CliResult yes = await _cli.RunAsync([.. run, "--yes", "Say hello"]);

        approved.AssertSuccess();
        Assert.Matches("Allow say \\{\"text\":\".*\"\\}\\? \\[y/N\\]", approved.Stderr);
        Assert.Matches("→ .+", approved.Stderr);
        declined.AssertSuccess();
        Assert.Contains("refused", declined.Stderr, StringComparison.Ordinal);
        nobodyToAsk.AssertSuccess();
        Assert.Contains("needs approval and there is no terminal to ask; refused (pass --yes to allow every call)", nobodyToAsk.Stderr, StringComparison.Ordinal);
        yes.AssertSuccess();
        Assert.Contains("(approved by --yes)", yes.Stderr, StringComparison.Ordinal);
    }

    public void Dispose() => _cli.Dispose();
}
