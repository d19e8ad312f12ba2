namespace OffGrid.Inference.Embeddings;

/// <summary>Options for a <see cref="LlamaEmbeddingGenerator"/>.</summary>
public sealed class LlamaEmbeddingGeneratorOptions
{
    /// <summary>How token vectors are pooled. Defaults to <see cref="EmbeddingPooling.Auto"/>.</summary>
    public EmbeddingPooling Pooling { get; set; } = EmbeddingPooling.Auto;

    /// <summary>Whether embeddings are scaled to unit length (L2). Defaults to <see langword="true"/>.</summary>
    public bool Normalize { get; set; } = true;

    /// <summary>The longest input in tokens; defaults to the smaller of 2048 and the trained context.</summary>
    public int? ContextSize { get; set; }

    /// <summary>How many inputs are embedded in one decode call. Defaults to 16.</summary>
    public int MaxBatchSequences { get; set; } = 16;

    /// <summary>Threads for the embedding context; defaults to the physical cores that are free when the model loads (by the load average).</summary>
    public int? Threads { get; set; }

    /// <summary>The model id reported in metadata and results; defaults to the model's id.</summary>
    public string? ModelId { get; set; }
}
