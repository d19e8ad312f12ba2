namespace OffGrid.Inference.Embeddings;

/// <summary>How token vectors become one embedding per input.</summary>
public enum EmbeddingPooling
{
    /// <summary>Use the model's own pooling (from its GGUF metadata), or <see cref="Mean"/> when it declares none.</summary>
    Auto = -1,

    /// <summary>The mean of all token vectors.</summary>
    Mean = 1,

    /// <summary>The vector of the first (CLS) token.</summary>
    Cls = 2,

    /// <summary>The vector of the last token.</summary>
    Last = 3,
}
