namespace OffGrid.Hub.Gguf;

/// <summary>
/// An estimate of the memory a model needs, from its GGUF header alone: the weights plus the key/value cache
/// for a chosen context size.
/// </summary>
/// <remarks>
/// The estimate leaves out the compute scratch buffers, which depend on the batch size and backend and are
/// usually small next to the weights. Immutable and thread-safe.
/// </remarks>
public sealed class ModelMemoryEstimate
{
    private ModelMemoryEstimate(long weightsBytes, long kvCacheBytes, int contextLength, GgmlType kvCacheType, GgmlType valueCacheType)
    {
        ValueCacheType = valueCacheType;
        WeightsBytes = weightsBytes;
        KvCacheBytes = kvCacheBytes;
        ContextLength = contextLength;
        KvCacheType = kvCacheType;
    }

    /// <summary>Gets the bytes of all tensor data.</summary>
    public long WeightsBytes { get; }

    /// <summary>Gets the bytes of the key/value cache for <see cref="ContextLength"/> tokens.</summary>
    public long KvCacheBytes { get; }

    /// <summary>Gets the context size the cache was estimated for.</summary>
    public int ContextLength { get; }

    /// <summary>Gets the storage type assumed for cache entries (the keys when <see cref="ValueCacheType"/> differs).</summary>
    public GgmlType KvCacheType { get; }

    /// <summary>Gets the storage type assumed for the value cache.</summary>
    public GgmlType ValueCacheType { get; }

    /// <summary>Gets <see cref="WeightsBytes"/> plus <see cref="KvCacheBytes"/>.</summary>
    public long TotalBytes => WeightsBytes + KvCacheBytes;

    /// <summary>Estimates the memory that <paramref name="file"/> needs with a context of <paramref name="contextLength"/> tokens.</summary>
    /// <param name="file">The model header.</param>
    /// <param name="contextLength">The context size in tokens; the model's training context when <see langword="null"/> (or 4096 when unknown).</param>
    /// <param name="kvCacheType">The cache storage type (llama.cpp uses F16 by default); the key cache's when <paramref name="valueCacheType"/> is given.</param>
    /// <param name="valueCacheType">The value cache's storage type; <see langword="null"/> for <paramref name="kvCacheType"/>.</param>
    /// <returns>The estimate.</returns>
    public static ModelMemoryEstimate Create(GgufFile file, int? contextLength = null, GgmlType kvCacheType = GgmlType.F16, GgmlType? valueCacheType = null)
    {
        ArgumentNullException.ThrowIfNull(file);
        int ctx = contextLength ?? (int)Math.Min(int.MaxValue, file.ContextLength ?? 4096);
        ArgumentOutOfRangeException.ThrowIfNegative(ctx, nameof(contextLength));
        GgmlType valueType = valueCacheType ?? kvCacheType;
        return new ModelMemoryEstimate(file.TensorDataBytes, GetKvCacheBytes(file, ctx, kvCacheType, valueType), ctx, kvCacheType, valueType);
    }

    /// <summary>
    /// Computes the key/value cache size: for every layer, <c>n_ctx × (n_embd_k_gqa + n_embd_v_gqa)</c> elements of
    /// <paramref name="kvCacheType"/>, where <c>n_embd_k_gqa</c> is the key length times the layer's key/value head count.
    /// </summary>
    /// <param name="file">The model header.</param>
    /// <param name="contextLength">The context size in tokens.</param>
    /// <param name="kvCacheType">The cache storage type; the key cache's when <paramref name="valueCacheType"/> is given.</param>
    /// <param name="valueCacheType">The value cache's storage type; <see langword="null"/> for <paramref name="kvCacheType"/>.</param>
    /// <returns>The size in bytes; 0 when the header lacks the attention shape.</returns>
    public static long GetKvCacheBytes(GgufFile file, int contextLength, GgmlType kvCacheType = GgmlType.F16, GgmlType? valueCacheType = null)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentOutOfRangeException.ThrowIfNegative(contextLength);
        if (file.BlockCount is not { } layers || file.EmbeddingLength is not { } embd || file.HeadCount is not { } heads || heads == 0)
        {
            return 0;
        }

        long keyLength = file.KeyLength ?? embd / heads;
        long valueLength = file.ValueLength ?? embd / heads;
        long total = 0;
        for (int layer = 0; layer < layers; layer++)
        {
            long kvHeads = file.GetPerLayerInt64("attention.head_count_kv", layer)
                ?? file.GetPerLayerInt64("attention.head_count", layer)
                ?? heads;
            long k = GgmlTypeLayout.GetByteCount(kvCacheType, contextLength * keyLength * kvHeads) ?? 0;
            long v = GgmlTypeLayout.GetByteCount(valueCacheType ?? kvCacheType, contextLength * valueLength * kvHeads) ?? 0;
            total += k + v;
        }

        return total;
    }
}
