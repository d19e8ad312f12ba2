using Microsoft.Extensions.VectorData;

namespace OffGrid.Rag.VectorData;

/// <summary>
/// A <see cref="KnowledgeBase"/> as a Microsoft.Extensions.VectorData <see cref="VectorStore"/>: its collections are the knowledge
/// base's collections, their records <see cref="KnowledgeRecord"/>s (string keys). Code written against the abstraction reads and
/// writes the same SQLite file that OffGrid's ingestion, hybrid search and chat use.
/// </summary>
/// <remarks>Thread-safe, like the knowledge base. Disposing it leaves the knowledge base open: it belongs to the caller.</remarks>
public sealed class KnowledgeVectorStore : VectorStore
{
    /// <summary>The name reported as <see cref="VectorStoreMetadata.VectorStoreSystemName"/>.</summary>
    public const string SystemName = "offgrid.sqlite";

    private readonly KnowledgeBase _knowledgeBase;
    private readonly VectorStoreMetadata _metadata;

    /// <summary>Wraps a knowledge base.</summary>
    /// <param name="knowledgeBase">The knowledge base; it must outlive the store.</param>
    public KnowledgeVectorStore(KnowledgeBase knowledgeBase)
    {
        ArgumentNullException.ThrowIfNull(knowledgeBase);
        _knowledgeBase = knowledgeBase;
        _metadata = new VectorStoreMetadata { VectorStoreSystemName = SystemName, VectorStoreName = knowledgeBase.DatabasePath };
    }

    /// <inheritdoc/>
    /// <exception cref="NotSupportedException">The key is not <see cref="string"/> or the record not <see cref="KnowledgeRecord"/>, or a definition is given.</exception>
    public override VectorStoreCollection<TKey, TRecord> GetCollection<TKey, TRecord>(string name, VectorStoreCollectionDefinition? definition = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (typeof(TKey) != typeof(string) || typeof(TRecord) != typeof(KnowledgeRecord) || definition is not null)
        {
            throw new NotSupportedException($"An OffGrid knowledge base stores {nameof(KnowledgeRecord)} records with string keys; use GetCollection<string, {nameof(KnowledgeRecord)}>(name).");
        }

        return (VectorStoreCollection<TKey, TRecord>)(object)new KnowledgeRecordCollection(_knowledgeBase, name);
    }

    /// <inheritdoc/>
    /// <exception cref="NotSupportedException">Always: records have the fixed shape of <see cref="KnowledgeRecord"/>.</exception>
    public override VectorStoreCollection<object, Dictionary<string, object?>> GetDynamicCollection(string name, VectorStoreCollectionDefinition definition) =>
        throw new NotSupportedException($"An OffGrid knowledge base stores {nameof(KnowledgeRecord)} records; use GetCollection<string, {nameof(KnowledgeRecord)}>(name).");

    /// <inheritdoc/>
    public override async IAsyncEnumerable<string> ListCollectionNamesAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (string name in await _knowledgeBase.Store.ListCollectionNamesAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return name;
        }
    }

    /// <inheritdoc/>
    public override async Task<bool> CollectionExistsAsync(string name, CancellationToken cancellationToken = default) =>
        (await _knowledgeBase.Store.ListCollectionNamesAsync(cancellationToken).ConfigureAwait(false)).Contains(name, StringComparer.Ordinal);

    /// <inheritdoc/>
    public override Task EnsureCollectionDeletedAsync(string name, CancellationToken cancellationToken = default) =>
        _knowledgeBase.DeleteCollectionAsync(name, cancellationToken);

    /// <inheritdoc/>
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(VectorStoreMetadata) ? _metadata
            : serviceType == typeof(KnowledgeBase) ? _knowledgeBase
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }
}
