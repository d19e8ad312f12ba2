using System.Formats.Tar;
using System.IO.Compression;

namespace OffGrid.Testing.LlamaCpp;

/// <summary>
/// The llama.cpp sources that match the runtime OffGrid pins, fetched at test time and cached: npm
/// <c>node-llama-cpp</c> ships them as a git bundle (<c>llama/gitRelease.bundle</c>), which is cloned once into
/// <see cref="TestPaths.CacheDir"/>. They supply real chat templates, vocab-only GGUFs and the C headers.
/// Nothing here is ever committed.
/// </summary>
/// <remarks>Thread-safe and safe across test processes (see <see cref="CachedAsset"/>). Needs npm (with the machine's registry configuration) and git.</remarks>
internal static class LlamaCppSources
{
    /// <summary>The node-llama-cpp version whose llama.cpp build OffGrid's runtime uses.</summary>
    public const string NodeLlamaCppVersion = "3.21.1";

    private const string BundleEntry = "package/llama/gitRelease.bundle";

    private static readonly Lazy<string> s_sourceDir = new(Fetch, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The root of the llama.cpp checkout.</summary>
    public static string SourceDir => s_sourceDir.Value;

    /// <summary><c>models/templates</c>: the real chat templates llama.cpp tests against (<c>*.jinja</c>).</summary>
    public static string TemplatesDir => Path.Combine(SourceDir, "models", "templates");

    /// <summary>The chat template files, sorted by name.</summary>
    public static IReadOnlyList<string> TemplateFiles =>
        [.. Directory.GetFiles(TemplatesDir, "*.jinja").Order(StringComparer.Ordinal)];

    /// <summary>The vocab-only GGUF files (<c>models/ggml-vocab-*.gguf</c>): real tokenizers without weights.</summary>
    public static IReadOnlyList<string> VocabGgufs =>
        [.. Directory.GetFiles(Path.Combine(SourceDir, "models"), "ggml-vocab-*.gguf").Order(StringComparer.Ordinal)];

    /// <summary><c>include/</c>, holding <c>llama.h</c>.</summary>
    public static string IncludeDir => Path.Combine(SourceDir, "include");

    /// <summary><c>ggml/include/</c>, holding <c>ggml.h</c> and the backend headers.</summary>
    public static string GgmlIncludeDir => Path.Combine(SourceDir, "ggml", "include");

    private static string Fetch() => CachedAsset.GetOrCreate($"llama.cpp-node-llama-cpp-{NodeLlamaCppVersion}", checkout =>
    {
        string download = TestPaths.NewTempDir("node-llama-cpp");
        try
        {
            ExternalCommand.Run("npm", ["pack", $"node-llama-cpp@{NodeLlamaCppVersion}", "--silent"], download, TimeSpan.FromMinutes(10));
            string tarball = Directory.GetFiles(download, "*.tgz").Single();
            string bundle = Path.Combine(download, "gitRelease.bundle");
            ExtractEntry(tarball, BundleEntry, bundle);
            ExternalCommand.Run("git", ["clone", "--quiet", bundle, checkout], download, TimeSpan.FromMinutes(10));
        }
        finally
        {
            Directory.Delete(download, recursive: true);
        }
    });

    private static void ExtractEntry(string tarball, string entryName, string destination)
    {
        using var file = File.OpenRead(tarball);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new TarReader(gzip);
        for (var entry = reader.GetNextEntry(); entry is not null; entry = reader.GetNextEntry())
        {
            if (entry.Name == entryName)
            {
                entry.ExtractToFile(destination, overwrite: true);
                return;
            }
        }

        throw new InvalidOperationException($"{entryName} not found in {tarball}.");
    }
}
