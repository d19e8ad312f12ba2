using System.Diagnostics;

namespace OffGrid.Testing;

/// <summary>Mounts a small tmpfs for tests that need a full disk (root on Linux only).</summary>
internal static class Mount
{
    /// <summary>Mounts a tmpfs of <paramref name="size"/> (for example <c>64k</c>) on <paramref name="directory"/>.</summary>
    public static Task TmpfsAsync(string directory, string size) => RunAsync("mount", "-t", "tmpfs", "-o", $"size={size}", "tmpfs", directory);

    /// <summary>Unmounts <paramref name="directory"/> and deletes it.</summary>
    public static async Task UnmountAsync(string directory)
    {
        await RunAsync("umount", directory);
        Directory.Delete(directory, recursive: true);
    }

    private static async Task RunAsync(string command, params string[] args)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start)!;
        string error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{command} {string.Join(' ', args)} failed: {error}");
        }
    }
}
