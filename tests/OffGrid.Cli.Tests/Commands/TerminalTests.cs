using OffGrid.Inference.Runtime;
using OffGrid.Testing;
using OffGrid.Testing.HuggingFace;

namespace OffGrid.Cli.Tests.Commands;

/// <summary>offgrid in a pseudo-terminal, driven by keys as a user types them: the chat's line editor, wrapped answers, and progress bars.</summary>
public sealed class TerminalTests : IDisposable
{
    private const string Prompt = ">>>";

    private readonly OffGridCli _cli = new();

    [Fact]
    public async Task TheChatPromptEditsLinesKeepsHistoryAndTypedAheadKeys()
    {
        await using (TerminalSession chat = await TerminalSession.StartAsync(_cli, 80, 30, "run", TestPaths.Stories260K, "--threads", "1", "--temperature", "0", "-n", "150"))
        {
            string start = await chat.WaitForScreenAsync(s => s.EndsWith(Prompt, StringComparison.Ordinal));
            Assert.Contains("has no chat template (a base model)", start, StringComparison.Ordinal);

            // Backspace on an empty line leaves the prompt alone; Left moves inside the line.
            await chat.PressAsync("BSpace", "BSpace");
            await chat.TypeAsync("/fo");
            await chat.PressAsync("Left");
            await chat.TypeAsync("X");
            await chat.PressAsync("Enter");
            await chat.WaitForScreenAsync(s => s.Contains("Unknown command /fXo", StringComparison.Ordinal));

            // Keys typed while the answer streams are neither echoed into it nor lost: they wait at the next prompt.
            await chat.TypeAsync("Once upon a time");
            await chat.PressAsync("Enter");
            await chat.WaitForScreenAsync(s => s.Contains("Lily", StringComparison.Ordinal));
            await chat.TypeAsync("typed ahead");
            // Whether the answer is still streaming or already done when the keys arrive, they end up on the next prompt line.
            await chat.WaitForScreenAsync(s => LastLine(s) == Prompt + " typed ahead");

            // Ctrl+C drops the line being typed and says how to leave; Ctrl+D on the empty line leaves, on a line of its own.
            await chat.PressAsync("C-c");
            string dropped = await chat.WaitForScreenAsync(s => LastLine(s) == Prompt);
            Assert.Contains("(Ctrl+D or /exit leaves the chat.)", dropped, StringComparison.Ordinal);
            await chat.PressAsync("C-d");
            Assert.Equal(0, await chat.WaitForExitAsync());
            Assert.Equal(0, await chat.CursorColumnAsync());
        }

        // The history is kept under OFFGRID_HOME: Up in the next chat brings the earlier message back.
        await using (TerminalSession again = await TerminalSession.StartAsync(_cli, 80, 30, "run", TestPaths.Stories260K, "--threads", "1"))
        {
            await again.WaitForScreenAsync(s => s.EndsWith(Prompt, StringComparison.Ordinal));
            await again.PressAsync("Up");
            await again.WaitForScreenAsync(s => LastLine(s) == Prompt + " Once upon a time");
            await again.PressAsync("Up");
            await again.WaitForScreenAsync(s => LastLine(s) == Prompt + " /fXo");
            await again.PressAsync("C-c");
            await again.WaitForScreenAsync(s => LastLine(s) == Prompt);
            await again.PressAsync("C-d");
            Assert.Equal(0, await again.WaitForExitAsync());
        }

        Assert.Equal(["/fXo", "Once upon a time"], await File.ReadAllLinesAsync(Path.Combine(_cli.Home, "history"), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task AnswersWrapBetweenWords()
    {
        CliResult piped = await _cli.RunAsync("run", TestPaths.Stories260K, "--threads", "1", "Once upon a time", "--temperature", "0", "-n", "120");
        piped.AssertSuccess();
        string[] words = piped.Stdout.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries);

        await using TerminalSession terminal = await TerminalSession.StartAsync(_cli, 37, 40, "run", TestPaths.Stories260K, "--threads", "1", "Once upon a time", "--temperature", "0", "-n", "120");
        Assert.Equal(0, await terminal.WaitForExitAsync());
        string screen = await terminal.ScreenAsync();

        // The answer is followed by the hint on stderr that it stopped at the limit (wider than the terminal: not ours to wrap).
        int hint = screen.IndexOf("(stopped at --max-tokens 120;", StringComparison.Ordinal);
        Assert.True(hint > 0, screen);
        string[] rows = screen[..hint].TrimEnd('\n').Split('\n');

        Assert.True(rows.Length > 5, "the answer takes several rows at 37 columns");
        Assert.All(rows, row => Assert.True(row.Length <= 37, $"a row wider than the terminal was wrapped by the terminal: '{row}'"));
        Assert.Equal(words, rows.SelectMany(r => r.Split(' ', StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact]
    public async Task RuntimeInstallProgressFitsTheTerminalAndLeavesOneSummaryLine()
    {
        RuntimePackage package = (await OffGridCli.RuntimeAsync()).Package!;
        await using LoopbackHubServer registry = LoopbackHubServer.Start();
        registry.WriteDelay = TimeSpan.FromMilliseconds(40); // slow enough to see the bar
        registry.AddFile($"{package.Name}/-/{package.TarballFileName}", Path.Combine(TestPaths.CacheDir, "runtime", "downloads", package.TarballFileName));
        _cli.Environment["OFFGRID_LLAMA_PATH"] = null;
        _cli.Environment["NPM_CONFIG_REGISTRY"] = new Uri(registry.BaseUri, "files/").ToString();
        const int Width = 72;

        await using TerminalSession install = await TerminalSession.StartAsync(_cli, Width, 20, "runtime", "install", "--variant", "cpu");
        string downloading = await install.WaitForScreenAsync(s => s.Contains('━'));
        Assert.All(downloading.Split('\n'), row => Assert.True(row.Length <= Width, $"the progress line wrapped: '{row}'"));

        Assert.Equal(0, await install.WaitForExitAsync());
        string done = await install.ScreenAsync();
        Assert.DoesNotContain('━', done);
        string summary = Assert.Single(done.Split('\n'), l => l.StartsWith("Installed llama.cpp", StringComparison.Ordinal));
        Assert.Contains($"({package.Name}@{package.Version}, ", summary, StringComparison.Ordinal);
        Assert.Contains($"from {registry.BaseUri.Authority} into {Path.Combine(_cli.Home, "runtime")}", summary, StringComparison.Ordinal);
    }

    public void Dispose() => _cli.Dispose();

    private static string LastLine(string screen) => screen.Split('\n')[^1].TrimEnd();
}
