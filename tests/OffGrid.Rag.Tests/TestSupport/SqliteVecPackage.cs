using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using OffGrid.Testing;

namespace OffGrid.Rag.Tests.TestSupport;

/// <summary>Fetches the real sqlite-vec extension at test time with <c>npm pack</c> (the machine's npm configuration picks the registry) into the test cache.</summary>
internal static class SqliteVecPackage
{
    public const string Package = "sqlite-vec-linux-x64@0.1.9";

    private static readonly Lazy<string> s_path = new(Fetch, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string ExtensionPath => s_path.Value;

    private static string Fetch()
    {
        string dir = Path.Combine(TestPaths.CacheDir, "sqlite-vec-linux-x64-0.1.9");
        string extension = Path.Combine(dir, "package", "vec0.so");
        if (File.Exists(extension))
        {
            return extension;
        }

        Directory.CreateDirectory(dir);
        var startInfo = new ProcessStartInfo("npm") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dir };
        foreach (string argument in new[] { "pack", Package, "--silent" })
        {
            startInfo.ArgumentList.Add(argument);
        }

        using Process npm = Process.Start(startInfo) ?? throw new InvalidOperationException("npm could not be started; it is needed to fetch " + Package);
        string error = npm.StandardError.ReadToEnd();
        npm.StandardOutput.ReadToEnd();
        npm.WaitForExit();
        string tarball = Directory.EnumerateFiles(dir, "*.tgz").FirstOrDefault()
            ?? throw new InvalidOperationException($"npm pack {Package} produced no tarball: {error}");
        using (FileStream file = File.OpenRead(tarball))
        using (var gzip = new GZipStream(file, CompressionMode.Decompress))
        {
            TarFile.ExtractToDirectory(gzip, dir, overwriteFiles: true);
        }

        return File.Exists(extension) ? extension : throw new InvalidOperationException($"{tarball} holds no package/vec0.so");
    }
}
