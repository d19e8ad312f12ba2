using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OffGrid.Cli.Output;
using Microsoft.Extensions.Options;
using OffGrid.Hub;
using OffGrid.Hub.HuggingFace;
using OffGrid.Hub.Quantization;
using OffGrid.Hub.References;
using OffGrid.Hub.Store;

namespace OffGrid.Cli.Models;

/// <summary>
/// The hub services a command needs (model store, Hugging Face client, variant ranking), registered by
/// <see cref="HubServiceCollectionExtensions.AddOffGridHub"/> and configured from <c>OFFGRID_HOME</c>,
/// <c>HF_ENDPOINT</c> and <c>HF_TOKEN</c>; created on first use, so commands that need none start faster.
/// </summary>
internal sealed class HubServices : IDisposable
{
    private readonly Lazy<ServiceProvider> _provider;

    /// <summary>Prepares the services; retries and offline fallbacks are shown on <paramref name="console"/>'s standard error.</summary>
    public HubServices(CliConsole console)
    {
        // On the command line a path to a .gguf file names a model: the user can read it anyway.
        _provider = new(() => new ServiceCollection()
            .AddLogging(logging => logging.AddProvider(new ConsoleNotices(console.Error)))
            .AddOffGridHub()
            .Configure<ModelResolverOptions>(o => o.AllowFilePaths = true)
            .BuildServiceProvider());
    }

    /// <summary>The hub settings in effect (home folder, models folder, endpoint).</summary>
    public HubOptions Options => _provider.Value.GetRequiredService<IOptions<HubOptions>>().Value;

    /// <summary>Turns a model name into a file on this machine, as the server does.</summary>
    public ModelResolver Resolver => _provider.Value.GetRequiredService<ModelResolver>();

    /// <summary>The local model store.</summary>
    public ModelStore Store => _provider.Value.GetRequiredService<ModelStore>();

    /// <summary>The Hugging Face client (or the mirror's).</summary>
    public HuggingFaceClient HuggingFace => _provider.Value.GetRequiredService<HuggingFaceClient>();

    /// <summary>Chooses variants for this machine's memory.</summary>
    public QuantizationRanker Ranker => _provider.Value.GetRequiredService<QuantizationRanker>();

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_provider.IsValueCreated)
        {
            _provider.Value.Dispose();
        }
    }
}
