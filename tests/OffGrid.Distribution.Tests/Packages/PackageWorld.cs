using OffGrid.Cli.Tests;
using OffGrid.Distribution.Packages;
using OffGrid.Distribution.Signing;
using OffGrid.Hub.Downloads;
using OffGrid.Hub.HuggingFace;
using OffGrid.Hub.Quantization;
using OffGrid.Hub.References;
using OffGrid.Hub.Store;
using OffGrid.Inference.Runtime;
using OffGrid.Testing;

namespace OffGrid.Distribution.Tests.Packages;

/// <summary>
/// Two OffGrid homes for one test: a source machine whose store holds stories260K and a publisher key, and a fresh
/// target machine that trusts that key; builders and importers wired to them. The runtime tarball comes from the
/// test cache with the registry pointed at a closed port, so nothing is downloaded.
/// </summary>
internal sealed class PackageWorld : IAsyncDisposable
{
    public const string ModelName = "ggml-org/stories260K";

    private static readonly HttpClient s_http = new();

    private PackageWorld(string root)
    {
        Root = root;
        SourceHome = Path.Combine(root, "source");
        TargetHome = Path.Combine(root, "target");
        SourceStore = StoreIn(SourceHome);
        TargetStore = StoreIn(TargetHome);
        Key = PublisherKeyPair.Generate("Acme IT");
        TargetTrust = new TrustStore(Path.Combine(TargetHome, "trusted-publishers.json"));
        Builder = new PackageBuilder(SourceStore, new LlamaRuntimeOptions
        {
            InstallDirectory = Path.Combine(TestPaths.CacheDir, "runtime"),
            RegistryUri = new Uri("http://127.0.0.1:9/"),
        });
        TargetOptions = new DistributionOptions { HomeDirectory = TargetHome };
        Verifier = new PackageVerifier(TargetTrust);
        Importer = new PackageImporter(Verifier, TargetStore, TargetOptions);
    }

    public string Root { get; }

    public string SourceHome { get; }

    public string TargetHome { get; }

    public ModelStore SourceStore { get; }

    public ModelStore TargetStore { get; set; }

    public PublisherKeyPair Key { get; }

    public TrustStore TargetTrust { get; }

    public PackageBuilder Builder { get; }

    public DistributionOptions TargetOptions { get; }

    public PackageVerifier Verifier { get; }

    public PackageImporter Importer { get; set; }

    public PackageImportOptions ImportOptions => new() { RuntimeInstallDirectory = Path.Combine(TargetHome, "runtime") };

    public static async Task<PackageWorld> CreateAsync(bool trusted = true)
    {
        await OffGridCli.RuntimeAsync(); // makes sure the runtime tarball is in the test cache
        var world = new PackageWorld(TestPaths.NewTempDir("packages"));
        await world.SourceStore.ImportAsync(TestPaths.Stories260K, ModelName, copy: true, TestContext.Current.CancellationToken);
        if (trusted)
        {
            await world.TargetTrust.TrustAsync(world.Key.PublicKey, cancellationToken: TestContext.Current.CancellationToken);
        }

        return world;
    }

    public static ModelStore StoreIn(string home) => new(
        Path.Combine(home, "models"),
        new FileDownloader(s_http),
        new HuggingFaceClient(s_http, new HuggingFaceOptions { Endpoint = new Uri("http://127.0.0.1:9/"), CacheDirectory = Path.Combine(home, "cache") }),
        new ModelAliasCatalog(),
        new QuantizationRanker(1L << 30));

    /// <summary>Creates a signed package of the model (and runtime when asked) at <paramref name="name"/> under the root.</summary>
    public Task<PackageCreateResult> CreateAsync(string name, CancellationToken cancellationToken, bool runtime = false, bool signed = true, IProgress<PackageProgress>? progress = null) =>
        Builder.CreateAsync(
            new PackageCreateRequest
            {
                OutputPath = Path.Combine(Root, name),
                Models = [ModelName],
                RuntimePlatforms = runtime ? [LlamaRuntimeCatalog.CurrentPlatform] : [],
                Signer = signed ? Key : null,
            },
            progress,
            cancellationToken);

    /// <summary>Asserts that the target machine holds nothing of a refused package: no model, no staging, no extraction, no runtime.</summary>
    public void AssertTargetUntouched()
    {
        string[] leftovers = Directory.Exists(TargetHome)
            ? Directory.EnumerateFiles(TargetHome, "*", SearchOption.AllDirectories).Where(f => Path.GetFileName(f) != "trusted-publishers.json").ToArray()
            : [];
        Assert.True(leftovers.Length == 0, "written on the target: " + string.Join(", ", leftovers));
    }

    public ValueTask DisposeAsync()
    {
        Key.Dispose();
        Directory.Delete(Root, recursive: true);
        return ValueTask.CompletedTask;
    }
}
