namespace OffGrid.Rag.Storage;

/// <summary>Finds the sqlite-vec loadable extension: the configured path, then <c>OFFGRID_SQLITE_VEC_PATH</c>, then <c>runtime/sqlite-vec*/</c> under <see cref="Hub.OffGridHome"/>.</summary>
internal static class SqliteVecLocator
{
    public const string EnvironmentVariable = "OFFGRID_SQLITE_VEC_PATH";

    public static string? Locate(string? configuredPath)
    {
        if (!string.IsNullOrWhiteSpace(configuredPath))
        {
            return configuredPath;
        }

        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } fromEnvironment)
        {
            return fromEnvironment;
        }

        string runtime = Hub.OffGridHome.Combine("runtime");
        if (!Directory.Exists(runtime))
        {
            return null;
        }

        string fileName = OperatingSystem.IsWindows() ? "vec0.dll" : OperatingSystem.IsMacOS() ? "vec0.dylib" : "vec0.so";
        return Directory.EnumerateDirectories(runtime, "sqlite-vec*")
            .Order(StringComparer.Ordinal)
            .SelectMany(dir => Directory.EnumerateFiles(dir, fileName, SearchOption.AllDirectories))
            .FirstOrDefault();
    }
}
