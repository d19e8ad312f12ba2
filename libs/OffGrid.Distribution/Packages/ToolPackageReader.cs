using System.IO.Compression;
using System.Xml.Linq;

namespace OffGrid.Distribution.Packages;

/// <summary>Reads what the install scripts need from a .NET tool package (<c>.nupkg</c>): id, version, command and entry assembly.</summary>
internal static class ToolPackageReader
{
    /// <summary>Describes the tool package at <paramref name="nupkg"/>; <paramref name="packagePath"/> is where it goes in the package.</summary>
    public static PackageTool Read(string nupkg, string packagePath)
    {
        try
        {
            using ZipArchive zip = ZipFile.OpenRead(nupkg);
            ZipArchiveEntry nuspec = zip.Entries.FirstOrDefault(e => !e.FullName.Contains('/', StringComparison.Ordinal) && e.FullName.EndsWith(".nuspec", StringComparison.OrdinalIgnoreCase))
                ?? throw Invalid(nupkg, "it has no .nuspec");
            XElement metadata = Load(nuspec).Root?.Elements().FirstOrDefault(e => e.Name.LocalName == "metadata") ?? throw Invalid(nupkg, "its .nuspec has no metadata");
            string id = Value(metadata, "id") ?? throw Invalid(nupkg, "its .nuspec has no id");
            string version = Value(metadata, "version") ?? throw Invalid(nupkg, "its .nuspec has no version");

            ZipArchiveEntry settings = zip.Entries.FirstOrDefault(e => e.FullName.StartsWith("tools/", StringComparison.Ordinal) && e.FullName.EndsWith("/DotnetToolSettings.xml", StringComparison.Ordinal))
                ?? throw Invalid(nupkg, "it is not a .NET tool package (no tools/*/DotnetToolSettings.xml)");
            XElement command = Load(settings).Descendants().FirstOrDefault(e => e.Name.LocalName == "Command") ?? throw Invalid(nupkg, "its DotnetToolSettings.xml names no command");
            string name = (string?)command.Attribute("Name") ?? throw Invalid(nupkg, "its tool command has no name");
            string entry = (string?)command.Attribute("EntryPoint") ?? throw Invalid(nupkg, "its tool command has no entry point");
            string entryPoint = settings.FullName[..(settings.FullName.LastIndexOf('/') + 1)] + entry;
            if (zip.GetEntry(entryPoint) is null || !PackageLayout.IsSafePath(entryPoint) || !PackageLayout.IsSafePath(name))
            {
                throw Invalid(nupkg, $"its entry point {entryPoint} is missing or unsafe");
            }

            // The values are written into the install scripts: nothing there may be read as shell or PowerShell syntax.
            if (new[] { id, version, name, entryPoint }.Any(v => !v.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '+' or '/')))
            {
                throw Invalid(nupkg, "its id, version, command or entry point holds characters other than letters, digits and . - _ + /");
            }

            return new PackageTool(id, version, name, entryPoint, packagePath);
        }
        catch (InvalidDataException ex)
        {
            throw new PackageException(PackageProblem.InvalidRequest, $"{nupkg} is not a .nupkg file: {ex.Message}", ex);
        }
    }

    private static XDocument Load(ZipArchiveEntry entry)
    {
        using Stream stream = entry.Open();
        return XDocument.Load(stream);
    }

    private static string? Value(XElement metadata, string name) => metadata.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value.Trim() is { Length: > 0 } v ? v : null;

    private static PackageException Invalid(string nupkg, string problem) =>
        new(PackageProblem.InvalidRequest, $"{nupkg} cannot be the offgrid tool package: {problem}.");
}
