using OffGrid.Inference.Pooling;

namespace OffGrid.Server.Models;

/// <summary>A served model held loaded for one request; disposing it hands the model back to the pool.</summary>
internal sealed class ModelSession : IDisposable
{
    public ModelSession(ServedModel model, LlamaModelLease lease, TimeSpan loadDuration)
    {
        Model = model;
        Lease = lease;
        LoadDuration = loadDuration;
    }

    /// <summary>The name and file of the model.</summary>
    public ServedModel Model { get; }

    /// <summary>The pool's lease: model, engine, chat client and embedding generator.</summary>
    public LlamaModelLease Lease { get; }

    /// <summary>How long getting the model took (near zero when it was already loaded; Ollama's <c>load_duration</c>).</summary>
    public TimeSpan LoadDuration { get; }

    public void Dispose() => Lease.Dispose();
}
