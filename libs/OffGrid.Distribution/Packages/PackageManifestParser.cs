using System.Text.Json;
using OffGrid.Hub.Store;

namespace OffGrid.Distribution.Packages;

/// <summary>Reads a manifest from untrusted bytes and checks that it is complete and consistent and that every path is safe.</summary>
internal static class PackageManifestParser
{
    public static PackageManifest Parse(ReadOnlySpan<byte> bytes)
    {
        PackageManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<PackageManifest>(bytes, PackageLayout.Json);
        }
        catch (JsonException ex)
        {
            throw new PackageException(PackageProblem.InvalidManifest, $"{PackageLayout.ManifestFile} is not a valid package manifest: {ex.Message}", ex);
        }

        if (manifest is null)
        {
            throw new PackageException(PackageProblem.InvalidManifest, $"{PackageLayout.ManifestFile} is empty.");
        }

        Validate(manifest);
        return manifest;
    }

    private static void Validate(PackageManifest manifest)
    {
        if (manifest.Format != PackageManifest.CurrentFormat)
        {
            throw Invalid($"the format '{manifest.Format}' is not supported (this OffGrid reads {PackageManifest.CurrentFormat})");
        }

        var paths = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (PackageFile file in manifest.Files ?? throw Invalid("it lists no files"))
        {
            if (file is null || !PackageLayout.IsSafePath(file.Path))
            {
                throw new PackageException(PackageProblem.UnsafePath, $"The manifest names an unsafe path '{file?.Path}' (absolute, or leaving the package); refusing the package.");
            }

            if (PackageLayout.IsMetadata(file.Path) || !paths.Add(file.Path))
            {
                throw Invalid($"'{file.Path}' is listed twice or is a reserved name");
            }

            if (file.Size < 0 || file.Sha256 is not { Length: 64 } || !file.Sha256.All(char.IsAsciiHexDigitLower))
            {
                throw Invalid($"'{file.Path}' needs a size of at least 0 and a lower-case SHA-256");
            }
        }

        foreach (string path in paths)
        {
            // A file may not also be a folder of another file ("a" and "a/b"): the two cannot both exist on disk.
            int slash = path.LastIndexOf('/');
            for (string parent = slash > 0 ? path[..slash] : string.Empty; parent.Length > 0; parent = parent.Contains('/', StringComparison.Ordinal) ? parent[..parent.LastIndexOf('/')] : string.Empty)
            {
                if (paths.Contains(parent))
                {
                    throw Invalid($"'{parent}' is listed as a file and as the folder of '{path}'");
                }
            }
        }

        foreach (PackageModel model in manifest.Models ?? [])
        {
            if (model is null || string.IsNullOrWhiteSpace(model.Name) || model.Files is not { Count: > 0 })
            {
                throw Invalid("a model has no name or no files");
            }

            if (ModelNames.Problem(model.Name) is { } problem)
            {
                throw Invalid($"a model's name is not one the store takes: {problem}");
            }

            RequireListed(paths, model.Files, $"the model {model.Name}");
        }

        foreach (PackageRuntime runtime in manifest.Runtimes ?? [])
        {
            RequireListed(paths, [runtime?.Path], $"the runtime {runtime?.Platform}");
        }

        if (manifest.Tool is { } tool)
        {
            RequireListed(paths, [tool.Path], $"the tool {tool.PackageId}");
            if (!PackageLayout.IsSafePath(tool.EntryPoint))
            {
                throw new PackageException(PackageProblem.UnsafePath, $"The tool entry point '{tool.EntryPoint}' is not a safe path; refusing the package.");
            }
        }
    }

    private static void RequireListed(HashSet<string> paths, IEnumerable<string?> files, string owner)
    {
        foreach (string? file in files)
        {
            if (file is null || !paths.Contains(file))
            {
                throw Invalid($"{owner} refers to '{file}', which is not among the package's files");
            }
        }
    }

    private static PackageException Invalid(string problem) =>
        new(PackageProblem.InvalidManifest, $"{PackageLayout.ManifestFile} is not a valid package manifest: {problem}.");
}
