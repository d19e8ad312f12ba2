using System.Diagnostics;

namespace OffGrid.Rag.Ingestion;

/// <summary>Runs a command-line tool with a time limit and collects its output.</summary>
internal static class ExternalTool
{
    /// <summary>Finds <paramref name="name"/> in <paramref name="directory"/> when given, otherwise on PATH.</summary>
    public static string? Find(string name, string? directory)
    {
        IEnumerable<string> folders = directory is not null
            ? [directory]
            : (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        string fileName = OperatingSystem.IsWindows() ? name + ".exe" : name;
        return folders.Select(folder => Path.Combine(folder, fileName)).FirstOrDefault(File.Exists);
    }

    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(string path, IEnumerable<string> arguments, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = System.Text.Encoding.UTF8,
        };
        foreach (string argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo) ?? throw new DocumentReadException($"Could not start {path}.");
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        Task<string> output = process.StandardOutput.ReadToEndAsync(timeoutSource.Token);
        Task<string> error = process.StandardError.ReadToEndAsync(timeoutSource.Token);
        try
        {
            await process.WaitForExitAsync(timeoutSource.Token).ConfigureAwait(false);
            return (process.ExitCode, await output.ConfigureAwait(false), await error.ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            cancellationToken.ThrowIfCancellationRequested();
            throw new DocumentReadException($"{Path.GetFileName(path)} did not finish within {timeout.TotalSeconds:0} s.");
        }
    }
}
