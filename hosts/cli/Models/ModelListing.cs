using OffGrid.Hub.Store;

namespace OffGrid.Cli.Models;

/// <summary>A stored model as <c>offgrid list --json</c> and <c>offgrid pull --json</c> print it.</summary>
internal sealed record ModelListing(
    string Name,
    string? Repository,
    string? Quantization,
    string? Architecture,
    long ParameterCount,
    long? ContextLength,
    long SizeBytes,
    bool HasChatTemplate,
    DateTimeOffset DownloadedAt,
    string Path)
{
    /// <summary>Describes <paramref name="manifest"/>.</summary>
    public static ModelListing From(ModelManifest manifest) => new(
        manifest.Name,
        manifest.Repository,
        manifest.Quantization,
        manifest.Architecture,
        manifest.ParameterCount,
        manifest.ContextLength,
        manifest.SizeBytes,
        manifest.HasChatTemplate,
        manifest.DownloadedAt,
        manifest.PrimaryFilePath);
}
