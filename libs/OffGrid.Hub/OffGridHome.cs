namespace OffGrid.Hub;

/// <summary>
/// The one place that decides where OffGrid keeps its files: <c>OFFGRID_HOME</c> when set, else <c>.offgrid</c> in the
/// user profile. Every library's default path (models, runtime, knowledge base, sqlite-vec, keys) lies under it, so
/// setting the variable moves everything.
/// </summary>
/// <remarks>Reads the environment on each call, so a change of <c>OFFGRID_HOME</c> takes effect at once. Thread-safe.</remarks>
public static class OffGridHome
{
    /// <summary>The name of the environment variable that moves the home folder.</summary>
    public const string EnvironmentVariable = "OFFGRID_HOME";

    /// <summary>Gets the home folder in effect.</summary>
    public static string Directory =>
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } home
            ? Path.GetFullPath(home)
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".offgrid");

    /// <summary>Gets a path under the home folder.</summary>
    /// <param name="parts">The path's parts below the home folder, such as <c>"runtime"</c>.</param>
    /// <returns>The full path.</returns>
    public static string Combine(params string[] parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        return Path.Combine([Directory, .. parts]);
    }
}
