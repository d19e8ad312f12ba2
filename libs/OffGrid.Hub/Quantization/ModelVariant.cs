using System.Text.RegularExpressions;

namespace OffGrid.Hub.Quantization;

/// <summary>
/// One downloadable variant of a model: a single GGUF file, or the parts of a split GGUF
/// (<c>name-00001-of-00003.gguf</c>…) that together form one model.
/// </summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed partial class ModelVariant
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="files">The file paths inside the repository, first part first.</param>
    /// <param name="sizeBytes">The total size of all parts.</param>
    public ModelVariant(IReadOnlyList<string> files, long sizeBytes)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentOutOfRangeException.ThrowIfZero(files.Count, nameof(files));
        Files = files;
        SizeBytes = sizeBytes;
        Quantization = QuantizationType.TryParse(files[0], out QuantizationType? q) ? q : null;
        Name = SplitPattern().Replace(files[0], ".gguf");
    }

    /// <summary>Gets the variant name: the file path, without the split suffix for split files.</summary>
    public string Name { get; }

    /// <summary>Gets the file paths inside the repository, in part order; llama.cpp loads the first and finds the rest.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>Gets the first (or only) file.</summary>
    public string PrimaryFile => Files[0];

    /// <summary>Gets the total size in bytes.</summary>
    public long SizeBytes { get; }

    /// <summary>Gets the quantization named in the file name, if any.</summary>
    public QuantizationType? Quantization { get; }

    /// <summary>Gets a value indicating whether the model is split over several files.</summary>
    public bool IsSplit => Files.Count > 1;

    /// <summary>
    /// Groups repository files into model variants: GGUF files only, split parts joined, and multimodal projector
    /// files (<c>mmproj</c>) left out. Incomplete split sets are left out too.
    /// </summary>
    /// <param name="files">Repository file paths with their sizes.</param>
    /// <returns>The variants, ordered by name.</returns>
    public static IReadOnlyList<ModelVariant> FromFiles(IEnumerable<(string Path, long Size)> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var variants = new List<ModelVariant>();
        var ggufs = files.Where(f => f.Path.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase)
            && !Path.GetFileName(f.Path).Contains("mmproj", StringComparison.OrdinalIgnoreCase));
        foreach (var group in ggufs.GroupBy(f => SplitPattern().Replace(f.Path, ".gguf"), StringComparer.Ordinal))
        {
            var parts = group.Select(f => (f.Path, f.Size, Match: SplitPattern().Match(f.Path))).ToList();
            if (parts.All(p => !p.Match.Success))
            {
                variants.AddRange(parts.Select(p => new ModelVariant([p.Path], p.Size)));
                continue;
            }

            var split = parts.Where(p => p.Match.Success).OrderBy(p => int.Parse(p.Match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
            int expected = int.Parse(split[0].Match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
            if (split.Count == expected && split.Select((p, i) => int.Parse(p.Match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) == i + 1).All(ok => ok))
            {
                variants.Add(new ModelVariant(split.Select(p => p.Path).ToList(), split.Sum(p => p.Size)));
            }
        }

        return variants.OrderBy(v => v.Name, StringComparer.Ordinal).ToList();
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} ({Quantization?.ToString() ?? "unknown"}, {SizeBytes} bytes{(IsSplit ? $", {Files.Count} parts" : string.Empty)})";

    [GeneratedRegex(@"-(\d{5})-of-(\d{5})\.gguf$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SplitPattern();
}
