using System.Text.Json.Serialization;

namespace OffGrid.Distribution.Packages;

/// <summary>
/// What an offline package holds: every file with its size and SHA-256, the models, llama.cpp runtimes and the
/// <c>offgrid</c> tool in it, the versions, when it was made and by which publisher. Saved as
/// <c>offgrid-package.json</c> at the package root; the Ed25519 signature in <c>offgrid-package.sig</c> covers its exact bytes.
/// </summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed record PackageManifest
{
    /// <summary>The format this library writes and reads.</summary>
    public const string CurrentFormat = "offgrid-package/1";

    /// <summary>Gets the format identifier, <see cref="CurrentFormat"/>.</summary>
    public required string Format { get; init; }

    /// <summary>Gets when the package was created (UTC).</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Gets what created the package, for example <c>OffGrid.Distribution 0.1.0</c>.</summary>
    public required string CreatedBy { get; init; }

    /// <summary>Gets the publisher whose key signed the package; <see langword="null"/> for an unsigned package.</summary>
    public PackagePublisher? Publisher { get; init; }

    /// <summary>Gets the models in the package.</summary>
    public IReadOnlyList<PackageModel> Models { get; init; } = [];

    /// <summary>Gets the llama.cpp runtime packages in the package, one per platform.</summary>
    public IReadOnlyList<PackageRuntime> Runtimes { get; init; } = [];

    /// <summary>Gets the <c>offgrid</c> .NET tool package in the package, if any.</summary>
    public PackageTool? Tool { get; init; }

    /// <summary>Gets every file of the package except the manifest and its signature.</summary>
    public required IReadOnlyList<PackageFile> Files { get; init; }

    /// <summary>Gets the total size of <see cref="Files"/> in bytes.</summary>
    [JsonIgnore]
    public long TotalBytes => Files.Sum(f => f.Size);
}
