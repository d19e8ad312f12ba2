using System.Text.Json;

namespace OffGrid.Distribution.Peers;

/// <summary>The JSON bodies peers exchange (snake_case). Version 1 of the peer protocol, under <c>/peer/v1</c>.</summary>
internal static class PeerWire
{
    public const string DefaultPrefix = "/peer/v1";

    public static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public sealed record Status(string Id, string Name, string Version, int Models);

    public sealed record ModelList(IReadOnlyList<Model> Models);

    public sealed record Model(
        string Name,
        string? Repository,
        string? Revision,
        string? Quantization,
        string? Architecture,
        long ParameterCount,
        long SizeBytes,
        IReadOnlyList<File> Files,
        Provenance? Signature);

    public sealed record File(string Path, long Size, string Sha256);

    /// <summary>The signed package manifest the model arrived with and its signature file, both base64.</summary>
    public sealed record Provenance(string Manifest, string Signature);
}
