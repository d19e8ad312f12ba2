using System.Text.Json;

namespace OffGrid.Distribution.Packages;

/// <summary>
/// The signed manifest a model arrived with, kept beside the store (<c>provenance/&lt;sha256 of its first file&gt;.json</c>
/// under <c>OFFGRID_HOME</c>) so that peers can be shown who published it and check that signature themselves.
/// </summary>
/// <param name="Manifest">The exact bytes of the package manifest.</param>
/// <param name="Signature">The bytes of the package signature file.</param>
internal sealed record ModelProvenance(byte[] Manifest, byte[] Signature)
{
    private static readonly JsonSerializerOptions s_json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static string FolderIn(string home) => Path.Combine(home, "provenance");

    public static async Task SaveAsync(string home, string primarySha256, ModelProvenance provenance, CancellationToken ct)
    {
        string folder = FolderIn(home);
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, primarySha256.ToLowerInvariant() + ".json");
        string temp = path + $".{Environment.ProcessId}.tmp";
        await File.WriteAllBytesAsync(temp, JsonSerializer.SerializeToUtf8Bytes(provenance, s_json), ct).ConfigureAwait(false);
        File.Move(temp, path, overwrite: true);
    }

    public static async Task<ModelProvenance?> TryLoadAsync(string home, string primarySha256, CancellationToken ct)
    {
        if (primarySha256.Length != 64 || !primarySha256.All(char.IsAsciiHexDigit))
        {
            return null;
        }

        string path = Path.Combine(FolderIn(home), primarySha256.ToLowerInvariant() + ".json");
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<ModelProvenance>(await File.ReadAllBytesAsync(path, ct).ConfigureAwait(false), s_json) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
