namespace OffGrid.Agents.Tools;

/// <summary>
/// Confines path arguments to a folder: a path is resolved against the folder, every symbolic link on the way is followed
/// to its final target, and the result must still lie inside the folder (itself resolved the same way).
/// </summary>
/// <remarks>
/// The check happens before the program starts; a link swapped in between is not caught, so the folder must not be
/// writable by anyone who should not reach outside it.
/// </remarks>
internal static class PathJail
{
    /// <summary>Returns the resolved absolute path of <paramref name="value"/> inside <paramref name="root"/>.</summary>
    /// <exception cref="ToolInvocationException">The path leads outside the folder, directly or through a link.</exception>
    public static string Resolve(string root, string value, string toolName, string argument)
    {
        string realRoot = RealPath(Path.GetFullPath(root));
        string lexical = Path.GetFullPath(value, realRoot);
        if (!IsInside(lexical, realRoot))
        {
            throw new ToolInvocationException(toolName, $"'{toolName}': argument '{argument}' ('{value}') leads outside the tool's folder {realRoot}.");
        }

        string real = RealPath(lexical);
        return IsInside(real, realRoot)
            ? real
            : throw new ToolInvocationException(toolName, $"'{toolName}': argument '{argument}' ('{value}') leads outside the tool's folder {realRoot} through a symbolic link.");
    }

    /// <summary>The path with every symbolic link among its existing parts replaced by its final target.</summary>
    public static string RealPath(string fullPath)
    {
        string root = Path.GetPathRoot(fullPath)!;
        string current = root;
        string[] parts = fullPath[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        for (int i = 0; i < parts.Length; i++)
        {
            string next = Path.Combine(current, parts[i]);
            var info = new FileInfo(next);
            if (info.LinkTarget is not null)
            {
                FileSystemInfo? target = info.ResolveLinkTarget(returnFinalTarget: true);
                // The target may itself lie under links (a relative link into a linked folder): resolve it again.
                next = target is null ? next : RealPath(Path.GetFullPath(target.FullName));
            }
            else if (!info.Exists && !Directory.Exists(next))
            {
                // The rest does not exist yet, so it holds no links.
                return Path.Combine([next, .. parts[(i + 1)..]]);
            }

            current = next;
        }

        return current;
    }

    private static bool IsInside(string path, string root) =>
        path == root || path.StartsWith(root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar, StringComparison.Ordinal);
}
