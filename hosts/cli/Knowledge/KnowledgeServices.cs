using Microsoft.Extensions.AI;
using OffGrid.Cli.Models;
using OffGrid.Cli.Output;
using OffGrid.Cli.Runtime;
using OffGrid.Inference.Engine;
using OffGrid.Inference.Pooling;
using OffGrid.Rag;
using OffGrid.Rag.Collections;
using OffGrid.Rag.Federation;

namespace OffGrid.Cli.Knowledge;

/// <summary>
/// The knowledge collections of this machine (<c>knowledge</c> under OFFGRID_HOME, shared with <c>offgrid serve</c>), with
/// embedding models found like any model name of the CLI (aliases, store names, .gguf paths) and loaded into a pool of the
/// command's own. Created on first use.
/// </summary>
internal sealed class KnowledgeServices : IEmbeddingModelResolver, IDisposable
{
    private readonly CliConsole _console;
    private readonly HubServices _hub;
    private readonly Lazy<KnowledgeCollections> _collections;
    private readonly Lazy<FederatedKnowledgeSearch> _search;
    private LlamaModelPool? _pool;

    /// <summary>Creates the services; nothing is opened until a command uses them.</summary>
    public KnowledgeServices(CliConsole console, HubServices hub)
    {
        _console = console;
        _hub = hub;
        _collections = new Lazy<KnowledgeCollections>(() => new KnowledgeCollections(
            new KnowledgeCollectionsOptions
            {
                Directory = Path.Combine(_hub.Options.HomeDirectory, "knowledge"),

                // The person at the terminal can reach their own network anyway; the guard is for servers taking URLs from clients.
                Rag = new RagOptions { AllowPrivateNetworkUrls = true },
            },
            this));
        _search = new Lazy<FederatedKnowledgeSearch>(() => new FederatedKnowledgeSearch(Collections));
    }

    /// <summary>CPU threads for embedding; <see langword="null"/> for llama.cpp's default.</summary>
    public int? Threads { get; set; }

    /// <summary>The collections.</summary>
    public KnowledgeCollections Collections => _collections.Value;

    /// <summary>Searches the collections together with the remote OffGrid nodes each includes (<c>offgrid kb nodes</c>).</summary>
    public FederatedKnowledgeSearch Search => _search.Value;

    /// <inheritdoc/>
    public async Task<IEmbeddingGenerator<string, Embedding<float>>> GetEmbeddingGeneratorAsync(string model, CancellationToken cancellationToken)
    {
        string path = (await _hub.Resolver.ResolveAsync(model, cancellationToken).ConfigureAwait(false)).Path;
        await RuntimeLoader.LoadAsync(_console, options: null, cancellationToken).ConfigureAwait(false);
        _pool ??= new LlamaModelPool(new LlamaModelPoolOptions
        {
            MaxLoadedModels = 2,
            KeepAlive = Timeout.InfiniteTimeSpan,
            Engine = new LlamaEngineOptions { ParallelSequences = 1, Threads = Threads },
        });
        return _pool.CreateEmbeddingGenerator(path, model);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_search.IsValueCreated)
        {
            _search.Value.Dispose();
        }

        if (_collections.IsValueCreated)
        {
            _collections.Value.Dispose();
        }

        _pool?.Dispose();
    }
}
