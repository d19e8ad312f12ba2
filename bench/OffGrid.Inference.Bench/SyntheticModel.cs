using OffGrid.Hub.Gguf;
using OffGrid.Testing.Gguf;
using OffGrid.Testing.Models;

namespace OffGrid.Inference.Bench;

/// <summary>The ~400M-parameter random-weight llama model in Q8_0, generated once into the bench cache.</summary>
internal static class SyntheticModel
{
    public static readonly TestLlamaModelSpec Spec = new()
    {
        EmbeddingLength = 1280,
        BlockCount = 20,
        HeadCount = 20,
        HeadCountKv = 20,
        FeedForwardLength = 3584,
        VocabularySize = 512,
        ContextLength = 2048,
        WeightType = GgufTensorType.Q8_0,
        Seed = 400,
    };

    /// <summary>The same shape with a 32k vocabulary (about 430M parameters), where sampling and logits cost what they do in real models.</summary>
    public static readonly TestLlamaModelSpec Spec32K = Spec with { VocabularySize = 32000, Seed = 430 };

    /// <summary>Returns the path of the model with <paramref name="spec"/> (default <see cref="Spec"/>), writing it first when the cache lacks it, and its parameter count from the GGUF header.</summary>
    public static async Task<(string Path, long Parameters)> GetOrCreateAsync(string cacheDir, TextWriter log, TestLlamaModelSpec? spec = null)
    {
        spec ??= Spec;
        string path = System.IO.Path.Combine(cacheDir, "models", $"llama-{spec.WeightType.ToString().ToLowerInvariant()}-{spec.CacheKey}.gguf");
        if (!File.Exists(path))
        {
            log.WriteLine($"Generating {path} ...");
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
            string temp = path + ".tmp";
            TestLlamaModels.Write(spec, temp);
            File.Move(temp, path, overwrite: true);
        }

        GgufFile file = await GgufFile.ReadAsync(path).ConfigureAwait(false);
        return (path, file.ParameterCount);
    }
}
