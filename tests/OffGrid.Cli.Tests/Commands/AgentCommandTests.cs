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
        CliResult broken = await _cli.RunAsync("agent", "list", "--json");

        listed.AssertSuccess();
        Assert.Equal(["analyst", "coder", "creative", "researcher"], JsonDocument.Parse(listed.Stdout).RootElement.EnumerateArray().Select(t => t.GetProperty("name").GetString()));
        shown.AssertSuccess();
        Assert.True(JsonDocument.Parse(shown.Stdout).RootElement.GetProperty("memory").GetBoolean());
        // A bad file is a warning naming its field; the good templates are still listed.
        broken.AssertSuccess();
        Assert.Equal(["analyst", "coder", "creative", "researcher"], JsonDocument.Parse(broken.Stdout).RootElement.EnumerateArray().Select(t => t.GetProperty("name").GetString()));
        Assert.StartsWith("offgrid: warning: ", broken.Stderr, StringComparison.Ordinal);
        Assert.Contains("broken.json: budget.maxSeconds must be at least 1.", broken.Stderr, StringComparison.Ordinal);
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

        CliResult result = await _cli.RunAsync("agent", "run", "judge", "Tea or coffee?", "-m", TemplateModels.Qwen, "--mode", "debate", "--agents", "pro,con", "--rounds", "1", "--threads", "1", "--ctx", "2048", "--json");

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
        Assert.Contains("--agents must name at least two agents for --mode 'voting'", (await _cli.RunAsync("agent", "run", "coder", "x", "-m", "any", "--mode", "voting")).AssertOneLineFailure(expectedExitCode: 2), StringComparison.Ordinal);
        (await _cli.RunAsync("agent", "run", "coder")).AssertOneLineFailure(expectedExitCode: 2);
        Assert.Contains("pass --mode too", (await _cli.RunAsync("agent", "run", "coder", "x", "-m", "any", "--agents", "coder,analyst")).AssertOneLineFailure(expectedExitCode: 2), StringComparison.Ordinal);
        Assert.Contains("No agent run with id 'run_nope'", (await _cli.RunAsync("agent", "resume", "run_nope", "-m", "any")).AssertOneLineFailure(), StringComparison.Ordinal);
        Assert.Contains("--model needs a model name or path.", (await _cli.RunAsync("agent", "run", "coder", "x", "-m", "")).AssertOneLineFailure(expectedExitCode: 2), StringComparison.Ordinal);
        Assert.Contains("--agents needs at least one agent name.", (await _cli.RunAsync("agent", "run", "coder", "x", "-m", "any", "--agents", "")).AssertOneLineFailure(expectedExitCode: 2), StringComparison.Ordinal);
        Assert.Contains("--agents has an empty name at position 2 ('coder,,analyst').", (await _cli.RunAsync("agent", "run", "coder", "x", "-m", "any", "--mode", "sequential", "--agents", "coder,,analyst")).AssertOneLineFailure(expectedExitCode: 2), StringComparison.Ordinal);
    }

    [Fact]
    public async Task APromptOverTheContextWindowFailsNamingCtxSizeAndKeepsTheFinishedTurns()
    {
        string agents = Directory.CreateDirectory(Path.Combine(_cli.Home, "agents")).FullName;
        await File.WriteAllTextAsync(Path.Combine(agents, "short.json"), """{"name":"short","instructions":"Answer.","toolMode":"none","maxOutputTokens":4}""", TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(Path.Combine(agents, "wordy.json"), $$"""{"name":"wordy","instructions":"{{string.Concat(Enumerable.Repeat("Answer with care. ", 40))}}","toolMode":"none","maxOutputTokens":4}""", TestContext.Current.CancellationToken);

        // The second agent's instructions alone are over the 256-token window: the first agent's turn is kept and shown.
        CliResult result = await _cli.RunAsync("agent", "run", "short", "Hi.", "-m", TemplateModels.Qwen, "--mode", "sequential", "--agents", "short,wordy", "--threads", "1", "--ctx", "256");

        Assert.Equal(1, result.ExitCode);
        // Steps show live on stderr; the failure is its one last line, without a stack trace.
        string line = result.ErrorLines[^1];
        Assert.StartsWith("offgrid: The prompt is ", line, StringComparison.Ordinal);
        Assert.DoesNotContain(result.ErrorLines, l => l.StartsWith("at ", StringComparison.Ordinal));
        Assert.Contains("context window", line, StringComparison.Ordinal);
        Assert.Contains("Raise it with --ctx-size", line, StringComparison.Ordinal);
        Assert.Contains("== short (turn 0) ==", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARunCancelledWithCtrlCIsResumedByTheCliFromItsLastFinishedTurn()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        string agents = Directory.CreateDirectory(Path.Combine(_cli.Home, "agents")).FullName;
        string tools = Directory.CreateDirectory(Path.Combine(_cli.Home, "tools")).FullName;
        // The second agent must call a tool that sleeps a minute: Ctrl+C lands in its turn whatever the model writes.
        _cli.Environment["OFFGRID_Agents__Shell__AllowedExecutables__0"] = "sleep";
        await File.WriteAllTextAsync(Path.Combine(tools, "nap.json"), """{"name":"nap","description":"Waits.","parameters":{"type":"object","properties":{"seconds":{"type":"string","enum":["60"]}},"required":["seconds"]},"shell":{"command":["sleep","{seconds}"]}}""", cancel);
        await File.WriteAllTextAsync(Path.Combine(agents, "first.json"), """{"name":"first","instructions":"Answer.","toolMode":"none","maxOutputTokens":6}""", cancel);
        await File.WriteAllTextAsync(Path.Combine(agents, "second.json"), """{"name":"second","instructions":"Answer.","toolMode":"required","tools":["nap"],"maxOutputTokens":48}""", cancel);

        using CliProcess running = await _cli.StartAsync("agent", "run", "first", "Name a colour.", "-m", TemplateModels.Qwen, "--mode", "sequential", "--agents", "first,second", "--threads", "1", "--ctx", "2048");
        await running.WaitForErrorAsync(e => e.Contains("calls nap", StringComparison.Ordinal));
        await running.InterruptAsync();
        CliResult cancelled = await running.WaitAsync();
        Assert.Equal(130, cancelled.ExitCode);
        string id = System.Text.RegularExpressions.Regex.Match(cancelled.Stderr, "kept as (run_[0-9a-f]{24})").Groups[1].Value;
        Assert.Contains($"offgrid agent resume {id} -m <model>", cancelled.Stderr, StringComparison.Ordinal);

        await File.WriteAllTextAsync(Path.Combine(agents, "second.json"), """{"name":"second","instructions":"Answer.","toolMode":"none","maxOutputTokens":6}""", cancel);
        CliResult resumed = await _cli.RunAsync("agent", "resume", id, "-m", TemplateModels.Qwen, "--threads", "1", "--ctx", "2048", "--json");

        resumed.AssertSuccess();
        JsonElement run = JsonDocument.Parse(resumed.Stdout).RootElement;
        Assert.Equal((id, "completed"), (run.GetProperty("id").GetString(), run.GetProperty("status").GetString()));
        List<JsonElement> steps = [.. run.GetProperty("steps").EnumerateArray()];
        Assert.Equal(["first", "second"], steps.Where(s => s.GetProperty("type").GetString() == "message").Select(s => s.GetProperty("agent").GetString()));
        Assert.Equal("final", steps[^1].GetProperty("type").GetString());
        Assert.Contains("is completed", (await _cli.RunAsync("agent", "resume", id, "-m", TemplateModels.Qwen)).AssertOneLineFailure(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADirectoryAsTheModelIsNamedAsOne()
    {
        string folder = Directory.CreateDirectory(Path.Combine(_cli.Home, "models-folder")).FullName;
        Assert.Contains($"'{folder}' is a directory, not a GGUF file.", (await _cli.RunAsync("agent", "run", "coder", "x", "-m", folder)).AssertOneLineFailure(), StringComparison.Ordinal);
    }

    public void Dispose() => _cli.Dispose();
}
