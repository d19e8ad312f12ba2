using OffGrid.Hub.References;
using OffGrid.Testing;

namespace OffGrid.Hub.Tests.References;

public sealed class ModelReferenceTests
{
    [Fact]
    public void ParsesEveryForm()
    {
        ModelReference alias = ModelReference.Parse("Llama3.2:Q8_0");
        Assert.Equal(ModelReferenceKind.Alias, alias.Kind);
        Assert.Equal("llama3.2", alias.AliasName);
        Assert.Equal("Q8_0", alias.Quantization);

        ModelReference repo = ModelReference.Parse("bartowski/Qwen2.5-7B-Instruct-GGUF@v1:q4_k_m");
        Assert.Equal(ModelReferenceKind.Repository, repo.Kind);
        Assert.Equal("bartowski/Qwen2.5-7B-Instruct-GGUF", repo.Repository);
        Assert.Equal("v1", repo.Revision);
        Assert.Equal("q4_k_m", repo.Quantization);

        ModelReference file = ModelReference.Parse("ggml-org/models/tinyllamas/stories260K.gguf");
        Assert.Equal(ModelReferenceKind.RepositoryFile, file.Kind);
        Assert.Equal("ggml-org/models", file.Repository);
        Assert.Equal("tinyllamas/stories260K.gguf", file.FilePath);
        Assert.Equal("main", file.Revision);

        ModelReference whisper = ModelReference.Parse("ggerganov/whisper.cpp/ggml-base.bin");
        Assert.Equal(ModelReferenceKind.RepositoryFile, whisper.Kind);
        Assert.Equal("ggml-base.bin", whisper.FilePath);
        Assert.Equal(ModelReferenceKind.RepositoryFile, ModelReference.Parse("rhasspy/piper-voices/en/en_US/amy/low/en_US-amy-low.onnx").Kind);

        ModelReference local = ModelReference.Parse(TestPaths.Stories260K);
        Assert.Equal(ModelReferenceKind.LocalFile, local.Kind);
        Assert.Equal(Path.GetFullPath(TestPaths.Stories260K), local.LocalPath);
        Assert.Equal(ModelReferenceKind.LocalFile, ModelReference.Parse("./x.gguf").Kind);
        Assert.Equal(ModelReferenceKind.LocalFile, ModelReference.Parse("x.gguf").Kind);
        Assert.Equal(ModelReferenceKind.LocalFile, ModelReference.Parse("models/missing.gguf").Kind);
    }

    [Theory]
    [InlineData("")]
    [InlineData("owner/../x")]
    [InlineData("owner/repo/../../etc/passwd.gguf")]
    [InlineData("owner//x")]
    [InlineData("owner/repo/sub/README.md")]
    [InlineData("owner/repo:bad quant")]
    [InlineData("name with space")]
    public void RejectsInvalidReferences(string text) => Assert.False(ModelReference.TryParse(text, out _));

    [Fact]
    public void RoundTripsThroughToString()
    {
        foreach (string text in new[] { "llama3.2:Q4_K_M", "a/b@dev:Q8_0", "a/b/c/d.gguf", "a/b" })
        {
            Assert.Equal(text, ModelReference.Parse(text).ToString());
        }
    }

    [Fact]
    public void ResolvesBuiltInAndUserAliases()
    {
        string dir = TestPaths.NewTempDir("aliases");
        try
        {
            string file = Path.Combine(dir, "aliases.json");
            File.WriteAllText(file, """{ "mine": "me/my-model-GGUF:Q5_K_M", "Mistral": "other/mistral-GGUF", "chain": "mine" }""");
            var catalog = new ModelAliasCatalog(file);

            ModelReference stories = catalog.Resolve("stories260k");
            Assert.Equal(ModelReferenceKind.RepositoryFile, stories.Kind);
            Assert.Equal("ggml-org/models", stories.Repository);
            Assert.Equal("tinyllamas/stories260K.gguf", stories.FilePath);

            Assert.Equal("bartowski/Llama-3.2-3B-Instruct-GGUF", catalog.Resolve("llama3.2:Q8_0").Repository);
            Assert.Equal("Q8_0", catalog.Resolve("llama3.2:Q8_0").Quantization);
            Assert.Equal("Q5_K_M", catalog.Resolve("mine").Quantization);
            Assert.Equal("Q8_0", catalog.Resolve("chain:Q8_0").Quantization);
            Assert.Equal("other/mistral-GGUF", catalog.Resolve("mistral").Repository);
            Assert.Equal("a/b", catalog.Resolve("a/b").Repository);
            var ex = Assert.Throws<KeyNotFoundException>(() => catalog.Resolve("nosuchmodel"));
            Assert.Contains("qwen2.5", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void WhisperAliasesNameWhisperCppFiles()
    {
        var catalog = new ModelAliasCatalog();

        Assert.Equal("ggml-tiny.bin", catalog.Resolve("whisper-tiny").FilePath);
        Assert.Equal("ggml-base.en-q5_1.bin", catalog.Resolve("whisper-base.en-q5_1").FilePath);
        Assert.Equal("ggml-large-v3-turbo-q8_0.bin", catalog.Resolve("whisper-large-v3-turbo-q8_0").FilePath);
        Assert.Equal("en/en_US/lessac/medium/en_US-lessac-medium.onnx", catalog.Resolve("piper-en_US-lessac-medium").FilePath);
        Assert.Equal("rhasspy/piper-voices", catalog.Resolve("piper-de_DE-thorsten-medium").Repository);
        Assert.All(new[] { "whisper-small", "whisper-medium", "whisper-large-v3", "whisper-medium-q5_0" }, a => Assert.Equal("ggerganov/whisper.cpp", catalog.Resolve(a).Repository));
    }

    [Fact]
    public void BuiltInAliasesAreValid()
    {
        string[] required = ["llama3.2", "llama3.1", "qwen2.5", "qwen3", "mistral", "phi3.5", "gemma2", "smollm2", "tinyllama", "stories260k"];
        var catalog = new ModelAliasCatalog();
        foreach (string name in required)
        {
            Assert.NotEqual(ModelReferenceKind.Alias, catalog.Resolve(name).Kind);
        }
    }
}
