namespace OffGrid.Testing.LlamaCpp;

/// <summary>
/// A directory under <see cref="TestPaths.CacheDir"/> that is built once and then reused, safely across threads and
/// test processes: builders run under an exclusive lock file, write into a scratch directory, and publish it with an
/// atomic rename, so a directory that exists is always complete.
/// </summary>
internal static class CachedAsset
{
    private static readonly TimeSpan s_lockTimeout = TimeSpan.FromMinutes(15);

    /// <summary>Returns the cache directory <paramref name="name"/>, building it with <paramref name="build"/> if it does not exist yet.</summary>
    /// <param name="name">The directory name; include the asset version so that a new version gets a new directory.</param>
    /// <param name="build">Fills the scratch directory it is given.</param>
    public static string GetOrCreate(string name, Action<string> build)
    {
        string target = Path.Combine(TestPaths.CacheDir, name);
        if (Directory.Exists(target))
        {
            return target;
        }

        using var cacheLock = AcquireLock(Path.Combine(TestPaths.CacheDir, name + ".lock"));
        if (Directory.Exists(target))
        {
            return target;
        }

        string scratch = Path.Combine(TestPaths.CacheDir, $".{name}.{Guid.NewGuid():N}.tmp");
        Directory.CreateDirectory(scratch);
        try
        {
            build(scratch);
            Directory.Move(scratch, target);
        }
        finally
        {
            if (Directory.Exists(scratch))
            {
                Directory.Delete(scratch, recursive: true);
            }
        }

        return target;
    }

    /// <summary>Opens <paramref name="path"/> exclusively; another process holding it makes this wait.</summary>
    private static FileStream AcquireLock(string path)
    {
        var deadline = DateTime.UtcNow + s_lockTimeout;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(250);
            }
        }
    }
}
