using System.Diagnostics;
using Microsoft.Extensions.AI;
using OffGrid.Agents.Tools;

namespace OffGrid.Agents.Tests.Tools;

/// <summary>Shell tools run real programs; every hostile value stays one literal argument, and limits hold.</summary>
public sealed class ShellToolTests : IAsyncLifetime
{
    private readonly AgentsHome _home = new();
    private Toolbox _toolbox = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private string Workspace => Path.Combine(_home.Directory, "workspace");

    public ValueTask InitializeAsync()
    {
        foreach (string program in new[] { "echo", "cat", "sleep", "head", "printenv" })
        {
            _home.Options.Shell.AllowedExecutables.Add(program);
        }

        Directory.CreateDirectory(Workspace);
        _toolbox = new Toolbox(_home.Options);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _toolbox.DisposeAsync();
        _home.Dispose();
    }

    [Theory]
    [InlineData("hello; rm -rf {0}")]
    [InlineData("$(rm -rf {0})")]
    [InlineData("`rm -rf {0}`")]
    [InlineData("x && rm -rf {0} || true")]
    [InlineData("x | tee {0}")]
    [InlineData("x > {0}")]
    [InlineData("'\"; rm -rf {0}; echo \"'")]
    public async Task ValuesAreNeverReadByAShell(string template)
    {
        string victim = Path.Combine(_home.Directory, "victim");
        await File.WriteAllTextAsync(victim, "still here", Cancel);
        string value = string.Format(System.Globalization.CultureInfo.InvariantCulture, template, victim);

        object? output = await Tool("""{"name":"say","parameters":{"type":"object","properties":{"text":{"type":"string"}},"required":["text"]},"shell":{"command":["echo","{text}"]}}""")
            .InvokeAsync(new AIFunctionArguments { ["text"] = value }, Cancel);

        Assert.Equal(value + "\n", output);
        Assert.Equal("still here", await File.ReadAllTextAsync(victim, Cancel));
    }

    [Theory]
    [InlineData("-e")]
    [InlineData("--help")]
    public async Task ValuesThatWouldBeOptionsAreRefused(string value)
    {
        AIFunction tool = Tool("""{"name":"say","parameters":{"type":"object","properties":{"text":{"type":"string"}}},"shell":{"command":["echo","{text}"]}}""");

        var error = await Assert.ThrowsAsync<ToolInvocationException>(async () => await tool.InvokeAsync(new AIFunctionArguments { ["text"] = value }, Cancel));

        Assert.Equal($"'say': an argument value may not start with '-' (it would be read as an option): '{value}'.", error.Message);
    }

    [Fact]
    public async Task AValueAfterALiteralPrefixMayStartWithADash()
    {
        AIFunction tool = Tool("""{"name":"say","parameters":{"type":"object","properties":{"text":{"type":"string"}}},"shell":{"command":["echo","text={text}"]}}""");

        Assert.Equal("text=-e\n", await tool.InvokeAsync(new AIFunctionArguments { ["text"] = "-e" }, Cancel));
    }

    [Fact]
    public async Task PathArgumentsStayInsideTheWorkingFolder()
    {
        Directory.CreateDirectory(Path.Combine(Workspace, "notes"));
        await File.WriteAllTextAsync(Path.Combine(Workspace, "notes", "a.txt"), "inside", Cancel);
        await File.WriteAllTextAsync(Path.Combine(_home.Directory, "secret.txt"), "outside", Cancel);
        File.CreateSymbolicLink(Path.Combine(Workspace, "escape"), _home.Directory);
        File.CreateSymbolicLink(Path.Combine(Workspace, "notes", "sneaky.txt"), Path.Combine(_home.Directory, "secret.txt"));
        AIFunction read = Tool("""{"name":"read","parameters":{"type":"object","properties":{"path":{"type":"string","format":"path"}},"required":["path"]},"shell":{"command":["cat","--","{path}"]}}""");

        Assert.Equal("inside", await read.InvokeAsync(new AIFunctionArguments { ["path"] = "notes/a.txt" }, Cancel));
        Assert.Equal("inside", await read.InvokeAsync(new AIFunctionArguments { ["path"] = Path.Combine(Workspace, "notes", "a.txt") }, Cancel));
        foreach (string escape in new[] { "../secret.txt", "notes/../../secret.txt", Path.Combine(_home.Directory, "secret.txt"), "/etc/passwd" })
        {
            var error = await Assert.ThrowsAsync<ToolInvocationException>(async () => await read.InvokeAsync(new AIFunctionArguments { ["path"] = escape }, Cancel));
            Assert.Contains("leads outside the tool's folder", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("through a symbolic link", error.Message, StringComparison.Ordinal);
        }

        foreach (string link in new[] { "escape/secret.txt", "notes/sneaky.txt" })
        {
            var error = await Assert.ThrowsAsync<ToolInvocationException>(async () => await read.InvokeAsync(new AIFunctionArguments { ["path"] = link }, Cancel));
            Assert.EndsWith("through a symbolic link.", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task OnlyAllowedProgramsRun()
    {
        AIFunction listing = Tool("""{"name":"listing","shell":{"command":["ls","-la"]}}""");

        var error = await Assert.ThrowsAsync<ToolInvocationException>(async () => await listing.InvokeAsync(new AIFunctionArguments(), Cancel));

        Assert.Matches("^'listing': the program /.*/ls is not allowed; an administrator must add it to Agents:Shell:AllowedExecutables.$", error.Message);
    }

    [Fact]
    public async Task OutputOverTheCapStopsTheProgram()
    {
        AIFunction flood = Tool("""{"name":"flood","shell":{"command":["head","-c","10000000","/dev/zero"],"maxOutputBytes":1000}}""");

        var error = await Assert.ThrowsAsync<ToolInvocationException>(async () => await flood.InvokeAsync(new AIFunctionArguments(), Cancel));

        Assert.Equal("'flood' wrote more than 1000 bytes of output and was stopped.", error.Message);
    }

    [Fact]
    public async Task AProgramThatHangsIsStoppedAtItsTimeout()
    {
        AIFunction hang = Tool("""{"name":"hang","shell":{"command":["sleep","60"],"timeoutSeconds":1}}""");
        long started = Stopwatch.GetTimestamp();

        var error = await Assert.ThrowsAsync<ToolInvocationException>(async () => await hang.InvokeAsync(new AIFunctionArguments(), Cancel));

        Assert.Equal("'hang' did not finish within 1 s and was stopped.", error.Message);
        Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task TheEnvironmentHoldsOnlyWhatTheToolGets()
    {
        Environment.SetEnvironmentVariable("OFFGRID_TEST_SECRET", "do-not-leak");
        AIFunction env = Tool("""{"name":"env","shell":{"command":["printenv"],"env":{"GREETING":"hello"}}}""");

        string output = (string)(await env.InvokeAsync(new AIFunctionArguments(), Cancel))!;

        Assert.Equal(
            ["GREETING=hello", $"HOME={Workspace}", "LANG=C.UTF-8", $"PATH={_home.Options.Shell.SearchPath}"],
            output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task AFailingProgramReportsItsExitCodeAndError()
    {
        AIFunction read = Tool("""{"name":"read","parameters":{"type":"object","properties":{"path":{"type":"string","format":"path"}}},"shell":{"command":["cat","{path}"]}}""");

        var error = await Assert.ThrowsAsync<ToolInvocationException>(async () => await read.InvokeAsync(new AIFunctionArguments { ["path"] = "missing.txt" }, Cancel));

        Assert.Matches("^'read' exited with code 1: /[a-z/]*/cat: ", error.Message);
        Assert.Contains("No such file or directory", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ArgumentsAreCheckedAgainstTheParameters()
    {
        AIFunction say = Tool("""{"name":"say","parameters":{"type":"object","properties":{"text":{"type":"string"},"times":{"type":"integer"}},"required":["text"]},"shell":{"command":["echo","{text}","{times}"]}}""");

        Assert.Equal("hi 3\n", await say.InvokeAsync(new AIFunctionArguments { ["text"] = "hi", ["times"] = 3 }, Cancel));
        Assert.Equal("hi\n", await say.InvokeAsync(new AIFunctionArguments { ["text"] = "hi" }, Cancel));
        Assert.Equal("'say' needs the argument 'text'.", (await Assert.ThrowsAsync<ToolInvocationException>(async () => await say.InvokeAsync(new AIFunctionArguments(), Cancel))).Message);
        Assert.Equal("'say' has no argument 'command'; it takes text, times.", (await Assert.ThrowsAsync<ToolInvocationException>(async () => await say.InvokeAsync(new AIFunctionArguments { ["text"] = "x", ["command"] = "rm" }, Cancel))).Message);
        Assert.Equal("'say': argument 'text' must be a string, number or boolean, not array.", (await Assert.ThrowsAsync<ToolInvocationException>(async () => await say.InvokeAsync(new AIFunctionArguments { ["text"] = new[] { "a" } }, Cancel))).Message);
    }

    [Theory]
    [InlineData("""{"name":"x","shell":{"command":["sh","-c","{cmd}"]},"parameters":{"type":"object","properties":{"cmd":{"type":"string"}}}}""", "shell.command[0]", "a shell or launcher")]
    [InlineData("""{"name":"x","shell":{"command":["/usr/bin/env","python3"]}}""", "shell.command[0]", "a shell or launcher")]
    [InlineData("""{"name":"x","shell":{"command":["{prog}"]},"parameters":{"type":"object","properties":{"prog":{"type":"string"}}}}""", "shell.command[0]", "cannot be a placeholder")]
    [InlineData("""{"name":"x","shell":{"command":["echo","{nope}"]}}""", "shell.command[1]", "not a declared parameter")]
    [InlineData("""{"name":"x","shell":{"command":["echo","{obj}"]},"parameters":{"type":"object","properties":{"obj":{"type":"object"}}}}""", "parameters.properties.obj", "must be declared with type string")]
    [InlineData("""{"name":"x","shell":{"command":["echo","{a"]}}""", "shell.command[1]", "invalid placeholder")]
    [InlineData("""{"name":"x","shell":{"command":[]}}""", "shell.command", "must start with the program")]
    [InlineData("""{"name":"x","shell":{"command":["echo"],"workingDirectory":"relative/dir"}}""", "shell.workingDirectory", "absolute path")]
    [InlineData("""{"name":"x","shell":{"command":["echo"],"timeoutSeconds":0}}""", "shell.timeoutSeconds", "must be positive")]
    [InlineData("""{"name":"x y","shell":{"command":["echo"]}}""", "name", "1 to 64 letters")]
    [InlineData("""{"name":"x"}""", "shell", "exactly one of 'shell' and 'http'")]
    [InlineData("""{"name":"x","shell":{"command":["echo"]},"parameters":{"type":"array"}}""", "parameters", "\"type\": \"object\"")]
    [InlineData("""{"name":"x","shell":{"command":["echo"]},"parameters":{"type":"object","properties":{"a":{}},"required":["b"]}}""", "parameters.required", "declared properties")]
    public void InvalidDefinitionsNameTheirField(string json, string field, string message)
    {
        var error = Assert.Throws<ToolDefinitionException>(() => ToolDefinition.Parse(json));

        Assert.Equal(field, error.Field);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    private AIFunction Tool(string json) => _toolbox.CreateTool(ToolDefinition.Parse(json));
}
