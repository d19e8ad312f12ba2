using System.Reflection;

namespace OffGrid.Cli.Distribution;

/// <summary>
/// Finds the .nupkg this offgrid was installed from, to put into offline packages: a tool installed with
/// <c>dotnet tool install</c> keeps it in the tool store a few folders above its assemblies; a build from the
/// repository finds the one <c>dotnet pack hosts/cli</c> wrote to <c>artifacts/packages</c>.
/// </summary>
internal static class OwnToolPackage
{
    /// <summary>Returns the path of this version's tool package, or <see langword="null"/> when there is none nearby.</summary>
    public static string? Find()
    {
        string version = typeof(OwnToolPackage).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";
        string fileName = $"offgrid.cli.{version}.nupkg";
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            foreach (string folder in new[] { dir.FullName, Path.Combine(dir.FullName, "artifacts", "packages") })
            {
                if (Directory.Exists(folder)
                    && Directory.EnumerateFiles(folder, "*.nupkg").FirstOrDefault(f => Path.GetFileName(f).Equals(fileName, StringComparison.OrdinalIgnoreCase)) is { } found)
                {
                    return found;
                }
            }
        }

        return null;
    }
}
