using System.Diagnostics;

namespace OffGrid.Hub.Downloads;

/// <summary>
/// Finds the npm registry the machine is configured for, the way npm itself does, so that corporate and
/// air-gapped mirrors work without OffGrid naming any registry.
/// </summary>
/// <remarks>Stateless and thread-safe; may run <c>npm config get registry</c> (up to 15 s) as a last resort.</remarks>
public static class NpmRegistry
{
    /// <summary>
    /// Returns the registry: the explicit option, <c>NPM_CONFIG_REGISTRY</c>, the <c>registry=</c> line of the
    /// project, user and global <c>.npmrc</c> files, and finally <c>npm config get registry</c>.
    /// </summary>
    /// <param name="explicitRegistry">A registry chosen by the caller, used as is.</param>
    /// <returns>The registry, or <see langword="null"/> when none is configured.</returns>
    public static Uri? Locate(Uri? explicitRegistry)
    {
        if (explicitRegistry is not null)
        {
            return explicitRegistry;
        }

        foreach (string variable in new[] { "NPM_CONFIG_REGISTRY", "npm_config_registry" })
        {
            if (TryParse(Environment.GetEnvironmentVariable(variable)) is { } fromEnvironment)
            {
                return fromEnvironment;
            }
        }

        foreach (string file in NpmrcFiles())
        {
            if (File.Exists(file) && ReadRegistry(file) is { } fromFile)
            {
                return fromFile;
            }
        }

        return AskNpm();
    }

    private static IEnumerable<string> NpmrcFiles()
    {
        yield return Path.Combine(Environment.CurrentDirectory, ".npmrc");
        if (Environment.GetEnvironmentVariable("NPM_CONFIG_USERCONFIG") is { Length: > 0 } userConfig)
        {
            yield return userConfig;
        }

        yield return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".npmrc");
        if (Environment.GetEnvironmentVariable("NPM_CONFIG_GLOBALCONFIG") is { Length: > 0 } globalConfig)
        {
            yield return globalConfig;
        }

        yield return "/usr/etc/npmrc";
        yield return "/etc/npmrc";
        yield return "/usr/local/etc/npmrc";
    }

    private static Uri? ReadRegistry(string file)
    {
        foreach (string raw in File.ReadLines(file))
        {
            string line = raw.Trim();
            if (line.StartsWith("registry", StringComparison.Ordinal) && line.IndexOf('=', StringComparison.Ordinal) is int eq and > 0
                && line[..eq].Trim() == "registry")
            {
                return TryParse(line[(eq + 1)..].Trim().Trim('"'));
            }
        }

        return null;
    }

    private static Uri? AskNpm()
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(OperatingSystem.IsWindows() ? "npm.cmd" : "npm", "config get registry")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (process is null)
            {
                return null;
            }

            string output = process.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            return process.WaitForExit(15_000) && process.ExitCode == 0 ? TryParse(output.Trim()) : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    private static Uri? TryParse(string? value) =>
        !string.IsNullOrWhiteSpace(value) && Uri.TryCreate(value.Trim(), UriKind.Absolute, out Uri? uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            ? uri
            : null;
}
