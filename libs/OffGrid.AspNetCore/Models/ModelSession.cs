using Microsoft.Extensions.AI;
using OffGrid.Hub.References;
using OffGrid.Inference.Pooling;

namespace OffGrid.AspNetCore.Models;

/// <summary>A served model held for one request: a local model stays loaded until the session is disposed; a remote model needs no holding.</summary>
internal sealed class ModelSession : IDisposable
{
    private readonly ModelClients _clients;

    public ModelSession(LocalModel model, LlamaModelLease? lease, TimeSpan loadDuration, ModelClients clients)
    {
        Model = model;
        Lease = lease;
        LoadDuration = loadDuration;
        _clients = clients;
    }

    /// <summary>The name and file of the model.</summary>
    public LocalModel Model { get; }

    /// <summary>The pool's lease, for what is not generation (model facts, the engine for benchmarks); <see langword="null"/> for a remote model.</summary>
    public LlamaModelLease? Lease { get; }

    /// <summary>How long getting the model took (near zero when it was already loaded; Ollama's <c>load_duration</c>).</summary>
    public TimeSpan LoadDuration { get; }

    /// <summary>The model's chat pipeline: every generation goes through it, so the app's middleware sees it.</summary>
    public IChatClient ChatClient => _clients.GetChatClient(Model);

    /// <summary>The model's embedding pipeline.</summary>
    public IEmbeddingGenerator<string, Embedding<float>> EmbeddingGenerator => _clients.GetEmbeddingGenerator(Model);

    public void Dispose() => Lease?.Dispose();
}
