using System.Text.Json;
using OffGrid.Testing.LlamaCpp;

namespace OffGrid.Cli.Tests.Commands;

/// <summary><c>offgrid agent</c> in the real process: templates, a team run on a real engine (Qwen's template, random weights), errors.</summary>
public sealed class AgentCommandTests : IDisposable
{
    private readonly OffGridCli _cli = new();

    [Fact]
    public async Task TemplatesAreListedAndShownAndABadFileIsOneLineNamingItsField()
    {
        CliResult listed = await _cli.RunAsync("agent", "list", "--json");
        CliResult shown = await _cli.RunAsync("agent", "show", "researcher");
        CliResult missing = await _cli.RunAsync("agent", "show", "ghost");
        string agents = Directory.CreateDirectory(Path.Combine(_cli.Home, "agents")).FullName;
        await File.WriteAllTextAsync(Path.Combine(agents, "broken.json"), """{"name":"broken","instructions":"x","budget":{"maxSeconds":0}}""", TestContext.Current.CancellationToken);
        CliResult broken = await _cli.RunAsync("agent", "list");

        listed.AssertSuccess();
        Assert.Equal(["analyst", "coder", "creative", "researcher"], JsonDocument.Parse(listed.Stdout).RootElement.EnumerateArray().Select(t => t.GetProperty("name").GetString()));
        shown.AssertSuccess();
        Assert.True(JsonDocument.Parse(shown.Stdout).RootElement.GetProperty("memory").GetBoolean());
        string line = broken.AssertOneLineFailure();
        Assert.Contains("broken.json: budget.maxSeconds must be at least 1.", line, StringComparison.Ordinal);
        Assert.Contains("No agent template named 'ghost'", missing.AssertOneLineFailure(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADebateShowsItsStepsLiveAndItsTranscriptAsJson()
    {
        string agents = Directory.CreateDirectory(Path.Combine(_cli.Home, "agents")).FullName;
        foreach (string name in new[] { "pro", "con", "judge" })
        {
            await File.WriteAllTextAsync(Path.Combine(agents, name + ".json"), $$"""{"name":"{{name}}","instructions":"Argue.","toolMode":"none","maxOutputTokens":6}""", TestContext.Current.CancellationToken);
        }

        CliResult result = await _cli.RunAsync("agent", "run", "judge", "Tea or coffee?", "-m", TemplateModels.Qwen, "--mode", "debate", "--agents", "pro,con", "--rounds", "1", "--threads", "1", "--ctx-size", "2048", "--json");

        result.AssertSuccess();
        JsonElement run = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.Equal("completed", run.GetProperty("status").GetString());
        List<JsonElement> steps = [.. run.GetProperty("steps").EnumerateArray()];
        Assert.Equal(["pro", "con", "judge"], steps.Where(s => s.GetProperty("type").GetString() == "message").Select(s => s.GetProperty("agent").GetString()));
        Assert.Equal(("final", "judge"), (steps[^1].GetProperty("type").GetString(), steps[^1].GetProperty("agent").GetString()));
        Assert.Contains("[pro]", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("[judge] final answer", result.Stderr, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_cli.Home, "agents.db")));
    }

    [Fact]
    public async Task UsageErrorsExit2()
    {
        Assert.Contains("--mode must be one of", (await _cli.RunAsync("agent", "run", "coder", "x", "-m", "any", "--mode", "sideways")).AssertOneLineFailure(expectedExitCode: 2), StringComparison.Ordinal);
        Assert.Contains("at least two agents", (await _cli.RunAsync("agent", "run", "coder", "x", "-m", "any", "--mode", "voting")).AssertOneLineFailure(expectedExitCode: 2), StringComparison.Ordinal);
        (await _cli.RunAsync("agent", "run", "coder")).AssertOneLineFailure(expectedExitCode: 2);
        Assert.Contains("--model needs a model name or path.", (await _cli.RunAsync("agent", "run", "coder", "x", "-m", "")).AssertOneLineFailure(expectedExitCode: 2), StringComparison.Ordinal);
        Assert.Contains("--agents needs at least one agent name.", (await _cli.RunAsync("agent", "run", "coder", "x", "-m", "any", "--agents", "")).AssertOneLineFailure(expectedExitCode: 2), StringComparison.Ordinal);
        Assert.Contains("--agents has an empty name at position 2 ('coder,,analyst').", (await _cli.RunAsync("agent", "run", "coder", "x", "-m", "any", "--mode", "sequential", "--agents", "coder,,analyst")).AssertOneLineFailure(expectedExitCode: 2), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADirectoryAsTheModelIsNamedAsOne()
    {
        string folder = Directory.CreateDirectory(Path.Combine(_cli.Home, "models-folder")).FullName;
        Assert.Contains($"'{folder}' is a directory, not a GGUF file.", (await _cli.RunAsync("agent", "run", "coder", "x", "-m", folder)).AssertOneLineFailure(), StringComparison.Ordinal);
    }

    public void Dispose() => _cli.Dispose();
}
