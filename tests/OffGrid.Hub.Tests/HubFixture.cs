using OffGrid.Hub.Downloads;
using OffGrid.Hub.HuggingFace;
using OffGrid.Hub.Quantization;
using OffGrid.Hub.References;
using OffGrid.Hub.Store;
using OffGrid.Testing;
using OffGrid.Testing.Gguf;
using OffGrid.Testing.HuggingFace;

namespace OffGrid.Hub.Tests;

/// <summary>A loopback hub, a temporary home folder and the hub objects wired to them, for one test.</summary>
internal sealed class HubFixture : IAsyncDisposable
{
    public HubFixture(long memoryBudget = 64L << 30)
    {
        Server = LoopbackHubServer.Start();
        Home = TestPaths.NewTempDir("hub");
        Http = new HttpClient();
        Options = new HuggingFaceOptions { Endpoint = Server.BaseUri, Token = null, CacheDirectory = Path.Combine(Home, "cache") };
        Client = new HuggingFaceClient(Http, Options);
        Downloader = new FileDownloader(Http, new DownloaderOptions { RetryDelay = TimeSpan.FromMilliseconds(10), DiskSpaceReserve = 0, ProgressInterval = TimeSpan.Zero });
        Store = new ModelStore(Path.Combine(Home, "models"), Downloader, Client, new ModelAliasCatalog(), new QuantizationRanker(memoryBudget));
    }

    public LoopbackHubServer Server { get; }

    public string Home { get; }

    public HttpClient Http { get; }

    public HuggingFaceOptions Options { get; }

    public HuggingFaceClient Client { get; }

    public FileDownloader Downloader { get; }

    public ModelStore Store { get; }

    /// <summary>Writes a tiny llama-architecture GGUF with the given storage type and returns its bytes.</summary>
    public static byte[] TinyModel(GgufTensorType type, string? chatTemplate = null, int seed = 1)
    {
        var random = new Random(seed);
        float[] Weights(int n) => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var writer = new GgufWriter()
            .AddString("general.architecture", "llama")
            .AddString("general.name", "tiny")
            .AddUInt32("llama.context_length", 256)
            .AddUInt32("llama.embedding_length", 64)
            .AddUInt32("llama.block_count", 1)
            .AddUInt32("llama.attention.head_count", 4)
            .AddString("tokenizer.ggml.model", "llama")
            .AddTensor("token_embd.weight", [64, 32], Weights(64 * 32), type)
            .AddTensor("output_norm.weight", [64], Weights(64));
        if (chatTemplate is not null)
        {
            writer.AddString("tokenizer.chat_template", chatTemplate);
        }

        using var stream = new MemoryStream();
        writer.Write(stream);
        return stream.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Http.Dispose();
        Directory.Delete(Home, recursive: true);
    }
}
