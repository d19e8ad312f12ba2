using System.Reflection;
using OffGrid.Testing;
using OffGrid.Testing.LlamaCpp;

namespace OffGrid.Distribution.Tests.Packages;

/// <summary>
/// The offgrid .NET tool package (.nupkg) of this build in <c>artifacts/packages</c>, where eng/test.sh packs it and where
/// an offgrid run from the repository finds its own package; packed here (once per test run) when it is missing or stale.
/// </summary>
internal static class ToolPackages
{
    private static readonly Lazy<string> s_cli = new(Pack);

    public static string Cli => s_cli.Value;

    private static string Pack()
    {
        string assembly = typeof(ToolPackages).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "OffGridCliAssembly").Value!;
        DateTime built = File.GetLastWriteTimeUtc(assembly);
        string artifacts = Path.Combine(TestPaths.RepoRoot, "artifacts", "packages");
        if (Directory.Exists(artifacts) && Directory.EnumerateFiles(artifacts, "OffGrid.Cli.*.nupkg").Where(f => !f.EndsWith(".snupkg", StringComparison.Ordinal)).FirstOrDefault(f => File.GetLastWriteTimeUtc(f) >= built) is { } packed)
        {
            return packed;
        }

        string configuration = new DirectoryInfo(Path.GetDirectoryName(assembly)!).Parent!.Name;
        ExternalCommand.Run("dotnet", ["pack", Path.Combine(TestPaths.RepoRoot, "hosts", "cli"), "-c", configuration, "--no-build", "-o", artifacts, "-nologo", "-v:q"], TestPaths.RepoRoot, TimeSpan.FromMinutes(5));
        return Directory.EnumerateFiles(artifacts, "OffGrid.Cli.*.nupkg").OrderByDescending(File.GetLastWriteTimeUtc).First();
    }
}
