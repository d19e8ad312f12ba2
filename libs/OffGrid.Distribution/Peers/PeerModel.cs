using OffGrid.Distribution.Packages;

namespace OffGrid.Distribution.Peers;

/// <summary>A model a peer shares, with its files and what its signature (if any) proves.</summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed record PeerModel
{
    /// <summary>Gets the peer that shares it.</summary>
    public required PeerInfo Peer { get; init; }

    /// <summary>Gets the store name.</summary>
    public required string Name { get; init; }

    /// <summary>Gets the repository it was originally pulled from, if any.</summary>
    public string? Repository { get; init; }

    /// <summary>Gets the repository revision, if any.</summary>
    public string? Revision { get; init; }

    /// <summary>Gets the quantization label.</summary>
    public string? Quantization { get; init; }

    /// <summary>Gets the architecture.</summary>
    public string? Architecture { get; init; }

    /// <summary>Gets the number of weights.</summary>
    public long ParameterCount { get; init; }

    /// <summary>Gets the total size in bytes.</summary>
    public long SizeBytes { get; init; }

    /// <summary>Gets the files, first part first.</summary>
    public required IReadOnlyList<PeerModelFile> Files { get; init; }

    /// <summary>Gets what the model's signature proves here: unsigned, or signed by a trusted, untrusted or revoked key, or invalid.</summary>
    public required PeerModelSignature Signature { get; init; }

    /// <summary>Gets the signed package manifest and signature the model came with, to keep on download.</summary>
    internal ModelProvenance? Provenance { get; init; }
}
