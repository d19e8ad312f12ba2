using System.Diagnostics;
using System.Text;

namespace OffGrid.Cli.Tests;

/// <summary>A running offgrid process whose output is collected as it arrives.</summary>
internal sealed class CliProcess : IDisposable
{
    private readonly Process _process;
    private readonly TimeSpan _timeout;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Task _readOut;
    private readonly Task _readErr;

    public CliProcess(Process process, TimeSpan timeout)
    {
        _process = process;
        _timeout = timeout;
        _readOut = PumpAsync(process.StandardOutput, _stdout);
        _readErr = PumpAsync(process.StandardError, _stderr);
    }

    public StreamWriter Input => _process.StandardInput;

    public string Stdout
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Sends SIGINT, as Ctrl+C in a terminal does.</summary>
    public async Task InterruptAsync()
    {
        using Process kill = Process.Start("kill", ["-INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>Kills the process at once, as pulling the plug on a machine would.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>Gets a value indicating whether the process has ended.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Waits until standard output satisfies <paramref name="condition"/>.</summary>
    public Task WaitForOutputAsync(Func<string, bool> condition) => WaitForAsync(() => Stdout, condition);

    /// <summary>Waits until standard error satisfies <paramref name="condition"/>.</summary>
    public Task WaitForErrorAsync(Func<string, bool> condition) => WaitForAsync(() => Stderr, condition);

    /// <summary>Waits for the process to exit (killing it after the timeout) and returns what it wrote.</summary>
    public async Task<CliResult> WaitAsync()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(_timeout);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw;
        }

        await Task.WhenAll(_readOut, _readErr);
        return new CliResult(_process.ExitCode, Stdout, Stderr);
    }

    private async Task WaitForAsync(Func<string> read, Func<string, bool> condition)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(_timeout);
        while (!condition(read()))
        {
            Assert.False(_process.HasExited && _readOut.IsCompleted && _readErr.IsCompleted, $"offgrid exited before the expected output: {Stdout} {Stderr}");
            await Task.Delay(50, timeout.Token);
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private static async Task PumpAsync(StreamReader reader, StringBuilder sink)
    {
        char[] buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            lock (sink)
            {
                sink.Append(buffer, 0, read);
            }
        }
    }
}
