using System.Collections.Concurrent;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using OffGrid.AspNetCore.Backends;
using OffGrid.AspNetCore.Hosting;
using OffGrid.Hub.References;
using OffGrid.Inference.Pooling;

namespace OffGrid.AspNetCore.Models;

/// <summary>
/// Builds and keeps one <see cref="IChatClient"/> and one embedding pipeline per served model: at the bottom the client of
/// the model's source — the local pool's for a GGUF file (the model worker's when local models run in a worker process), the balancer over the model's backends for a remote model — then
/// the middleware the app configured with <see cref="OffGridServerBuilder.ConfigureChatClients"/> and
/// <see cref="OffGridServerBuilder.ConfigureEmbeddingGenerators"/>, in registration order, the same for both.
/// </summary>
/// <remarks>Thread-safe. A model reached under two names gets a pipeline per name, so middleware sees the name the client used.</remarks>
internal sealed class ModelClients : IDisposable
{
    private readonly LlamaModelPool _pool;
    private readonly RemoteBackends _remote;
    private readonly IServiceProvider _services;
    private readonly ModelPipelineOptions _options;
    private readonly ModelWorker? _worker;
    private readonly ConcurrentDictionary<LocalModel, Lazy<IChatClient>> _chat = new();
    private readonly ConcurrentDictionary<LocalModel, Lazy<IEmbeddingGenerator<string, Embedding<float>>>> _embeddings = new();

    public ModelClients(LlamaModelPool pool, RemoteBackends remote, IServiceProvider services, IOptions<ModelPipelineOptions> options)
    {
        _pool = pool;
        _remote = remote;
        _services = services;
        _options = options.Value;
        _worker = services.GetService<ModelWorker>() is { IsEnabled: true } worker ? worker : null;
    }

    /// <summary>Whether local models run in the model worker process (<see cref="ModelIsolation.Process"/>) rather than in the pool here.</summary>
    public bool IsIsolated => _worker is not null;

    /// <summary>The model worker when local models run in one; <see langword="null"/> when they run in the pool here.</summary>
    public ModelWorker? Worker => _worker;

    /// <summary>Whether local models can be served now: always in process; with a worker, while one is running and healthy.</summary>
    public bool IsWorkerReady => _worker?.IsReady ?? true;

    /// <summary>Why the model worker cannot serve now (starting, not answering); <see langword="null"/> when it can or there is none.</summary>
    public string? WorkerProblem => _worker?.Problem;

    /// <summary>The model worker's <see cref="ModelWorker.Status"/>: <c>loading</c>, <c>restarting</c> or <c>unresponsive</c> while it cannot serve; else <see langword="null"/>.</summary>
    public string? WorkerStatus => _worker?.Status;

    /// <summary>
    /// How the model worker is told which model to run: by its path when the server resolved it to a file by path (a client's path
    /// the server allows, a knowledge collection's stored path), which the worker could not find by the file's name; else by name.
    /// </summary>
    public static string WorkerModel(LocalModel model) => model.Source == LocalModelSource.File ? model.Path : model.Name;

    /// <summary>The chat pipeline of <paramref name="model"/>.</summary>
    public IChatClient GetChatClient(LocalModel model) =>
        _chat.GetOrAdd(Key(model), m => new Lazy<IChatClient>(() => BuildChatClient(m))).Value;

    /// <summary>The embedding pipeline of <paramref name="model"/>.</summary>
    public IEmbeddingGenerator<string, Embedding<float>> GetEmbeddingGenerator(LocalModel model) =>
        _embeddings.GetOrAdd(Key(model), m => new Lazy<IEmbeddingGenerator<string, Embedding<float>>>(() => BuildEmbeddingGenerator(m))).Value;

    public void Dispose()
    {
        foreach (Lazy<IChatClient> client in _chat.Values.Where(c => c.IsValueCreated))
        {
            client.Value.Dispose();
        }

        foreach (Lazy<IEmbeddingGenerator<string, Embedding<float>>> generator in _embeddings.Values.Where(g => g.IsValueCreated))
        {
            generator.Value.Dispose();
        }
    }

    // The manifest is left out of the key: it is re-read on every listing, and records compare it by reference.
    private static LocalModel Key(LocalModel model) => model with { Manifest = null };

    private IChatClient BuildChatClient(LocalModel model)
    {
        var builder = new ChatClientBuilder(
            model.IsRemote ? _remote.CreateChatClient(model.Name)
            : _worker is not null ? new WorkerChatClient(_worker, WorkerModel(model))
            : _pool.CreateChatClient(model.Path, model.Name));
        foreach (Action<ChatClientBuilder, LocalModel> configure in _options.ChatClient)
        {
            configure(builder, model);
        }

        return builder.Build(_services);
    }

    private IEmbeddingGenerator<string, Embedding<float>> BuildEmbeddingGenerator(LocalModel model)
    {
        var builder = new EmbeddingGeneratorBuilder<string, Embedding<float>>(
            model.IsRemote ? _remote.CreateEmbeddingGenerator(model.Name)
            : _worker is not null ? new WorkerEmbeddingGenerator(_worker, WorkerModel(model))
            : _pool.CreateEmbeddingGenerator(model.Path, model.Name));
        foreach (Action<EmbeddingGeneratorBuilder<string, Embedding<float>>, LocalModel> configure in _options.EmbeddingGenerator)
        {
            configure(builder, model);
        }

        return builder.Build(_services);
    }
}
