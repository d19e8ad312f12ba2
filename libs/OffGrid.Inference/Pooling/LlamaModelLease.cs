using Microsoft.Extensions.AI;
using OffGrid.Inference.Chat;
using OffGrid.Inference.Embeddings;
using OffGrid.Inference.Engine;
using OffGrid.Inference.Models;

namespace OffGrid.Inference.Pooling;

/// <summary>
/// A model held loaded by a <see cref="LlamaModelPool"/> while the lease is open. Dispose it when the request ends;
/// the model then stays loaded for the pool's keep-alive.
/// </summary>
public sealed class LlamaModelLease : IDisposable
{
    private readonly LlamaModelPool.Entry _entry;
    private int _disposed;

    internal LlamaModelLease(LlamaModelPool.Entry entry)
    {
        _entry = entry;
    }

    /// <summary>The loaded model.</summary>
    public LlamaModel Model => _entry.Model;

    /// <summary>The model's engine (shared by every lease of the model).</summary>
    public LlamaEngine Engine => _entry.Engine;

    /// <summary>A chat client over the model's engine.</summary>
    public LlamaChatClient ChatClient => _entry.ChatClient;

    /// <summary>The model's embedding generator, created on first use.</summary>
    public IEmbeddingGenerator<string, Embedding<float>> EmbeddingGenerator => _entry.EmbeddingGenerator;

    /// <summary>Ends the lease.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _entry.Pool.Release(_entry);
        }
    }
}
