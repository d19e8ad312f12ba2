using System.Diagnostics;
using System.Text;

namespace OffGrid.Cli.Tests;

/// <summary>
/// Runs offgrid in a pseudo-terminal of a private tmux server (Debian's tmux; <c>eng/test.sh</c> installs it), so that a
/// test types keys as a user does (<c>Left</c>, <c>Up</c>, <c>BSpace</c>, <c>C-d</c>) and reads the screen as rendered.
/// </summary>
internal sealed class TerminalSession : IAsyncDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(90);

    private readonly string _socket;
    private readonly string _exitFile;

    private TerminalSession(string socket, string exitFile)
    {
        _socket = socket;
        _exitFile = exitFile;
    }

    /// <summary>Starts <c>offgrid <paramref name="args"/></c> in a terminal of <paramref name="width"/> by <paramref name="height"/> cells.</summary>
    public static async Task<TerminalSession> StartAsync(OffGridCli cli, int width, int height, params string[] args)
    {
        string directory = OffGrid.Testing.TestPaths.NewTempDir("offgrid-tty");
        var session = new TerminalSession(Path.Combine(directory, "tmux.sock"), Path.Combine(directory, "exit-code"));
        var command = new StringBuilder();
        IReadOnlyList<KeyValuePair<string, string?>> environment = await cli.ChildEnvironmentAsync();
        foreach ((string name, _) in environment.Where(v => v.Value is null))
        {
            command.Append($"-u {name} ");
        }

        command.Append("TERM=xterm-256color ");
        foreach ((string name, string? value) in environment.Where(v => v.Value is not null))
        {
            command.Append($"{name}={Quote(value!)} ");
        }

        command.Append(Quote(OffGridCli.Host)).Append(' ').Append(Quote(OffGridCli.Assembly));
        foreach (string arg in args)
        {
            command.Append(' ').Append(Quote(arg));
        }

        // The pane stays, unchanged, after offgrid exits, so that the last screen and the exit code can still be read.
        command.Append($"; echo $? > {Quote(session._exitFile)}; exec sleep 3600");
        await session.TmuxAsync("-f", "/dev/null", "new-session", "-d", "-x", width.ToString(System.Globalization.CultureInfo.InvariantCulture), "-y", height.ToString(System.Globalization.CultureInfo.InvariantCulture), "env " + command);
        return session;
    }

    /// <summary>Presses keys by tmux name (<c>Enter</c>, <c>Left</c>, <c>C-c</c>).</summary>
    public Task PressAsync(params string[] keys) => TmuxAsync(["send-keys", .. keys]);

    /// <summary>Types <paramref name="text"/> literally.</summary>
    public Task TypeAsync(string text) => TmuxAsync("send-keys", "-l", text);

    /// <summary>The screen as rendered: one string per row, trailing blanks trimmed.</summary>
    public async Task<string> ScreenAsync() => (await TmuxAsync("capture-pane", "-p", "-J")).TrimEnd();

    /// <summary>The column of the cursor (0 at the start of a line).</summary>
    public async Task<int> CursorColumnAsync() => int.Parse(await TmuxAsync("display-message", "-p", "#{cursor_x}"), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Waits until the screen satisfies <paramref name="condition"/> and returns it.</summary>
    public async Task<string> WaitForScreenAsync(Func<string, bool> condition)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(s_timeout);
        string screen = await ScreenAsync();
        while (!condition(screen))
        {
            Assert.False(File.Exists(_exitFile) && condition(screen = await ScreenAsync()) is false, "offgrid exited before the screen showed what was expected. Last screen:\n" + screen);
            try
            {
                await Task.Delay(100, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail("The screen never showed what was expected. Last screen:\n" + screen);
            }

            screen = await ScreenAsync();
        }

        return screen;
    }

    /// <summary>Waits for offgrid to exit and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(s_timeout);
        while (!File.Exists(_exitFile) || (await File.ReadAllTextAsync(_exitFile, timeout.Token)).Trim().Length == 0)
        {
            try
            {
                await Task.Delay(100, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail("offgrid did not exit. Last screen:\n" + await ScreenAsync());
            }
        }

        return int.Parse(await File.ReadAllTextAsync(_exitFile, timeout.Token), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await TmuxAsync("kill-server");
        }
        catch (Xunit.Sdk.XunitException)
        {
            // The server is already gone.
        }

        Directory.Delete(Path.GetDirectoryName(_socket)!, recursive: true);
    }

    private async Task<string> TmuxAsync(params string[] args)
    {
        var start = new ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-S");
        start.ArgumentList.Add(_socket);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process tmux = Process.Start(start)!;
        Task<string> output = tmux.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        string error = await tmux.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await tmux.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(tmux.ExitCode == 0, $"tmux {string.Join(' ', args)} failed: {error}");
        return await output;
    }

    private static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
