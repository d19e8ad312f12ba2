using System.ComponentModel;
using System.Diagnostics;

namespace OffGrid.Speech;

/// <summary>
/// Runs a command-line program (ffmpeg, espeak-ng) with bytes on stdin and collects stdout. Such programs are called,
/// never linked: espeak-ng is GPL, and ffmpeg builds differ per distribution.
/// </summary>
/// <remarks>Stateless and thread-safe. Cancelling kills the process tree.</remarks>
internal static class ExternalProgram
{
    /// <summary>The result of one run.</summary>
    public sealed record Result(int ExitCode, byte[] Output, string Error)
    {
        /// <summary>The last non-empty line the program wrote to stderr, for error messages.</summary>
        public string LastErrorLine => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? $"exit code {ExitCode}";
    }

    /// <summary>Returns <paramref name="configured"/> when it names an existing file, else looks <paramref name="name"/> up on the PATH.</summary>
    /// <returns>The full path, or <see langword="null"/> when the program is not installed.</returns>
    public static string? Locate(string? configured, string name)
    {
        if (!string.IsNullOrEmpty(configured))
        {
            return File.Exists(configured) ? Path.GetFullPath(configured) : null;
        }

        string[] suffixes = OperatingSystem.IsWindows() ? [".exe", ".cmd", ""] : [""];
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (string suffix in suffixes)
            {
                string candidate = Path.Combine(dir, name + suffix);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    /// <summary>Runs the program to completion.</summary>
    /// <exception cref="OperationCanceledException">Cancelled; the process was killed.</exception>
    /// <exception cref="SpeechEngineException">The program could not be started.</exception>
    public static async Task<Result> RunAsync(string program, IEnumerable<string> arguments, ReadOnlyMemory<byte> input, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            throw new SpeechEngineException($"Could not start '{program}': {ex.Message}", ex);
        }

        await using CancellationTokenRegistration kill = cancellationToken.Register(() =>
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Already exited.
            }
        });

        var output = new MemoryStream();
        Task copyOut = process.StandardOutput.BaseStream.CopyToAsync(output, CancellationToken.None);
        Task<string> readErr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            await process.StandardInput.BaseStream.WriteAsync(input, cancellationToken).ConfigureAwait(false);
            await process.StandardInput.BaseStream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // The program stopped reading (it failed early); its exit code and stderr tell why.
        }
        finally
        {
            process.StandardInput.Close();
        }

        await Task.WhenAll(copyOut, readErr).ConfigureAwait(false);
        await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return new Result(process.ExitCode, output.ToArray(), await readErr.ConfigureAwait(false));
    }
}
