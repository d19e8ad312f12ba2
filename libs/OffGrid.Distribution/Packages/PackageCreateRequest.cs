using OffGrid.Distribution.Signing;

namespace OffGrid.Distribution.Packages;

/// <summary>What to put into an offline package and where to write it.</summary>
/// <remarks>Immutable once initialized; safe to share between threads.</remarks>
public sealed class PackageCreateRequest
{
    /// <summary>Gets the output: a folder (created; an interrupted run's folder resumes), or a file whose name ends in <c>.tar</c>.</summary>
    public required string OutputPath { get; init; }

    /// <summary>Gets the models to include: store names or references that <see cref="Hub.Store.ModelStore.FindAsync"/> resolves.</summary>
    public IReadOnlyList<string> Models { get; init; } = [];

    /// <summary>Gets the llama.cpp runtime platforms to include, keys of <see cref="Inference.Runtime.LlamaRuntimeCatalog.Packages"/> such as <c>linux-x64</c> or <c>win-x64-cuda</c>.</summary>
    public IReadOnlyList<string> RuntimePlatforms { get; init; } = [];

    /// <summary>Gets the <c>offgrid</c> .NET tool package (<c>.nupkg</c>, from <c>dotnet pack hosts/cli</c>) the install scripts install; none when <see langword="null"/>.</summary>
    public string? ToolPackagePath { get; init; }

    /// <summary>Gets the publisher key that signs the manifest; <see langword="null"/> makes an unsigned package, which importers refuse unless told otherwise.</summary>
    public PublisherKeyPair? Signer { get; init; }
}
