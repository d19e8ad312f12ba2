using System.Text.Json;
using System.Text.Json.Serialization;

namespace OffGrid.Distribution.Packages;

/// <summary>The fixed names and folders of a package, and the JSON form of its manifest and signature.</summary>
internal static class PackageLayout
{
    public const string ManifestFile = "offgrid-package.json";
    public const string SignatureFile = "offgrid-package.sig";
    public const string PublisherKeyFile = "publisher.pub";
    public const string ChecksumFile = "SHA256SUMS";
    public const string ShellInstaller = "install.sh";
    public const string PowerShellInstaller = "install.ps1";
    public const string ModelsFolder = "models";
    public const string RuntimeFolder = "runtime";
    public const string ToolsFolder = "tools";

    /// <summary>The largest manifest or signature read; a bigger one is refused before it is parsed.</summary>
    public const int MaxMetadataBytes = 16 << 20;

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    };

    /// <summary>Gets a value indicating whether <paramref name="path"/> is one of the two files the manifest cannot list.</summary>
    public static bool IsMetadata(string path) => path is ManifestFile or SignatureFile;

    /// <summary>
    /// Gets a value indicating whether <paramref name="path"/> is a plain relative path that stays inside the package on
    /// every operating system: <c>/</c> separators, no empty, <c>.</c> or <c>..</c> segments, no root, drive, backslash,
    /// colon or control character, and no segment Windows reserves.
    /// </summary>
    public static bool IsSafePath(string? path) =>
        !string.IsNullOrEmpty(path)
        && path.Length <= 1024
        && !path.StartsWith('/')
        && !Path.IsPathRooted(path)
        && path.IndexOfAny(['\\', ':', '*', '?', '"', '<', '>', '|']) < 0
        && !path.Any(char.IsControl)
        && path.Split('/').All(IsSafeSegment);

    private static bool IsSafeSegment(string segment) =>
        segment.Length is > 0 and <= 255
        && segment is not "." and not ".."
        && !segment.EndsWith('.') && !segment.EndsWith(' ')
        && !IsReservedOnWindows(segment);

    private static bool IsReservedOnWindows(string segment)
    {
        string stem = segment.Split('.')[0].ToUpperInvariant();
        return stem is "CON" or "PRN" or "AUX" or "NUL" || (stem.Length == 4 && (stem.StartsWith("COM", StringComparison.Ordinal) || stem.StartsWith("LPT", StringComparison.Ordinal)) && char.IsAsciiDigit(stem[3]));
    }
}
