namespace OffGrid.Hub.References;

/// <summary>Checks file paths that come from a remote repository before they become local paths.</summary>
internal static class RepositoryPath
{
    /// <summary>
    /// Gets a value indicating whether <paramref name="path"/> is a plain relative path: no empty, <c>.</c> or <c>..</c>
    /// segments, no rooted or drive-qualified form, no backslashes or control characters.
    /// </summary>
    public static bool IsSafe(string? path) =>
        !string.IsNullOrEmpty(path)
        && path.Length <= 1024
        && !Path.IsPathRooted(path)
        && !path.Contains('\\', StringComparison.Ordinal)
        && !path.Contains(':', StringComparison.Ordinal)
        && !path.Any(char.IsControl)
        && path.Split('/').All(s => s.Length > 0 && s is not "." and not "..");

    /// <summary>Throws when <paramref name="path"/> is not safe.</summary>
    public static string EnsureSafe(string path) =>
        IsSafe(path) ? path : throw new InvalidDataException($"The repository file name '{path}' is not a safe relative path; refusing to use it.");
}
