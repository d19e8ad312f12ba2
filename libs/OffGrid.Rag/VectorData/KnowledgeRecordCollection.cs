using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;
using OffGrid.Rag.Embeddings;
using OffGrid.Rag.Ingestion;
using OffGrid.Rag.Storage;

namespace OffGrid.Rag.VectorData;

/// <summary>
/// One collection of a knowledge base as a <see cref="VectorStoreCollection{TKey, TRecord}"/>: upserts store each record as a
/// one-chunk document (replacing the previous version in one transaction), searches use the knowledge base's vector index
/// (exact, quantized or sqlite-vec), scores are cosine similarities.
/// </summary>
/// <remarks>
/// Thread-safe. Search takes a <see cref="ReadOnlyMemory{T}"/> of <see cref="float"/>, a <see cref="float"/> array, an
/// <see cref="Embedding{T}"/>, or a <see cref="string"/> (embedded with the knowledge base's generator). LINQ filters are not
/// supported: filter with <see cref="Search.SearchOptions.Filters"/> through <see cref="KnowledgeBase.SearchAsync"/> instead.
/// </remarks>
internal sealed class KnowledgeRecordCollection : VectorStoreCollection<string, KnowledgeRecord>
{
    private readonly KnowledgeBase _knowledgeBase;
    private readonly VectorStoreCollectionMetadata _metadata;

    public KnowledgeRecordCollection(KnowledgeBase knowledgeBase, string name)
    {
        _knowledgeBase = knowledgeBase;
        Name = name;
        _metadata = new VectorStoreCollectionMetadata { VectorStoreSystemName = KnowledgeVectorStore.SystemName, VectorStoreName = knowledgeBase.DatabasePath, CollectionName = name };
    }

    public override string Name { get; }

    public override async Task<bool> CollectionExistsAsync(CancellationToken cancellationToken = default) =>
        (await _knowledgeBase.Store.ListCollectionNamesAsync(cancellationToken).ConfigureAwait(false)).Contains(Name, StringComparer.Ordinal);

    public override Task EnsureCollectionExistsAsync(CancellationToken cancellationToken = default) => _knowledgeBase.Store.EnsureCollectionAsync(Name, cancellationToken);

    public override Task EnsureCollectionDeletedAsync(CancellationToken cancellationToken = default) => _knowledgeBase.DeleteCollectionAsync(Name, cancellationToken);

    public override async Task<KnowledgeRecord?> GetAsync(string key, RecordRetrievalOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        List<StoredRecord> found = await _knowledgeBase.Store.ReadRecordsAsync(Name, [key], chunkIds: null, cancellationToken).ConfigureAwait(false);
        return found.Count == 0 ? null : ToRecord(found[0], options?.IncludeVectors == true);
    }

    public override async IAsyncEnumerable<KnowledgeRecord> GetAsync(IEnumerable<string> keys, RecordRetrievalOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        foreach (StoredRecord stored in await _knowledgeBase.Store.ReadRecordsAsync(Name, [.. keys], chunkIds: null, cancellationToken).ConfigureAwait(false))
        {
            yield return ToRecord(stored, options?.IncludeVectors == true);
        }
    }

    public override IAsyncEnumerable<KnowledgeRecord> GetAsync(Expression<Func<KnowledgeRecord, bool>> filter, int top, FilteredRecordRetrievalOptions<KnowledgeRecord>? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("LINQ filters are not supported by the OffGrid knowledge base; get records by key, or search with KnowledgeBase.SearchAsync and metadata filters.");

    public override Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _knowledgeBase.DeleteDocumentAsync(key, Name, cancellationToken);
    }

    public override async Task DeleteAsync(IEnumerable<string> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        foreach (string key in keys)
        {
            await DeleteAsync(key, cancellationToken).ConfigureAwait(false);
        }
    }

    public override Task UpsertAsync(KnowledgeRecord record, CancellationToken cancellationToken = default) => UpsertAsync([record], cancellationToken);

    public override async Task UpsertAsync(IEnumerable<KnowledgeRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        DocumentSource[] sources = [.. records.Select(ToSource)];
        IReadOnlyList<IngestionResult> results = await _knowledgeBase.IngestAsync(sources, new IngestionOptions(), progress: null, cancellationToken).ConfigureAwait(false);
        if (results.FirstOrDefault(r => r.Status == IngestionStatus.Failed) is { } failed)
        {
            throw new VectorStoreException($"Storing record '{failed.Source}' failed: {failed.Error}");
        }
    }

    public override async IAsyncEnumerable<VectorSearchResult<KnowledgeRecord>> SearchAsync<TInput>(TInput searchValue, int top, VectorSearchOptions<KnowledgeRecord>? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(searchValue);
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        if (options?.Filter is not null)
        {
            throw new NotSupportedException("LINQ filters are not supported by the OffGrid knowledge base; search with KnowledgeBase.SearchAsync and metadata filters.");
        }

        float[] query = searchValue switch
        {
            ReadOnlyMemory<float> memory => VectorMath.Normalize(memory.Span),
            float[] array => VectorMath.Normalize(array),
            Embedding<float> embedding => VectorMath.Normalize(embedding.Vector.Span),
            string text => await _knowledgeBase.EmbedQueryAsync(text, cancellationToken).ConfigureAwait(false),
            _ => throw new NotSupportedException($"Search with a {typeof(TInput).Name} is not supported; pass a float vector, an Embedding<float> or a string."),
        };

        int skip = options?.Skip ?? 0;
        List<ScoredChunk> hits = await _knowledgeBase.Store.VectorSearchAsync(query, new SearchFilter(Name, null), top + skip, cancellationToken).ConfigureAwait(false);
        hits = [.. hits.Skip(skip).Where(h => options?.ScoreThreshold is not double threshold || h.Score >= threshold)];
        Dictionary<long, StoredRecord> records = (await _knowledgeBase.Store.ReadRecordsAsync(Name, sources: null, [.. hits.Select(h => h.ChunkId)], cancellationToken).ConfigureAwait(false)).ToDictionary(r => r.ChunkId);
        foreach (ScoredChunk hit in hits)
        {
            if (records.TryGetValue(hit.ChunkId, out StoredRecord? stored))
            {
                yield return new VectorSearchResult<KnowledgeRecord>(ToRecord(stored, options?.IncludeVectors == true), hit.Score);
            }
        }
    }

    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(VectorStoreCollectionMetadata) ? _metadata
            : serviceType == typeof(KnowledgeBase) ? _knowledgeBase
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    private DocumentSource ToSource(KnowledgeRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentException.ThrowIfNullOrWhiteSpace(record.Key);
        if (record.Vector.IsEmpty)
        {
            throw new ArgumentException($"Record '{record.Key}' has no vector.", nameof(record));
        }

        return DocumentSource.FromChunks(record.Key, [new PrecomputedChunk(record.Text ?? string.Empty, record.Vector)]) with
        {
            Collection = Name,
            Title = string.IsNullOrEmpty(record.Title) ? null : record.Title,
            Metadata = record.Metadata,
        };
    }

    private static KnowledgeRecord ToRecord(StoredRecord stored, bool includeVector)
    {
        using JsonDocument metadata = JsonDocument.Parse(stored.MetadataJson);
        return new KnowledgeRecord
        {
            Key = stored.Source,
            Text = stored.Text,
            Title = stored.Title,
            Metadata = metadata.RootElement.EnumerateObject()
                .Where(p => p.Name != "format")
                .ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText(), StringComparer.Ordinal),
            Vector = includeVector ? stored.Vector : ReadOnlyMemory<float>.Empty,
        };
    }
}
