namespace OffGrid.Testing;

/// <summary>Well-known locations for tests: the repository, the shared data beside it, and a cache for fetched assets.</summary>
internal static class TestPaths
{
    private static readonly Lazy<string> s_repoRoot = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OffGrid.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("OffGrid.sln not found above " + AppContext.BaseDirectory);
    });

    /// <summary>The repository root (the folder holding OffGrid.sln).</summary>
    public static string RepoRoot => s_repoRoot.Value;

    /// <summary>The shared data folder beside the repository (<c>../shared</c>), or OFFGRID_SHARED_DIR.</summary>
    public static string SharedDir => Environment.GetEnvironmentVariable("OFFGRID_SHARED_DIR") is { Length: > 0 } dir
        ? dir
        : Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));

    /// <summary>Karpathy's stories260K: a small trained llama model for tests that need real text.</summary>
    public static string Stories260K => Path.Combine(SharedDir, "models", "stories260K.gguf");

    /// <summary>A cache for assets fetched at test time (npm packages, generated models); never committed.</summary>
    public static string CacheDir
    {
        get
        {
            string dir = Environment.GetEnvironmentVariable("OFFGRID_TEST_CACHE") is { Length: > 0 } d ? d : Path.Combine(RepoRoot, ".cache", "test-assets");
            Directory.CreateDirectory(dir);
            return dir;
        }
    }

    /// <summary>Creates a fresh, empty temporary directory for one test.</summary>
    public static string NewTempDir(string prefix = "offgrid-test")
    {
        string dir = Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }
}
