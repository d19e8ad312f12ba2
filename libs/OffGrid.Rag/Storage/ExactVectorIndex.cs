using System.Numerics.Tensors;

namespace OffGrid.Rag.Storage;

/// <summary>
/// The exact vector search used when sqlite-vec is unavailable: all unit-length vectors are cached in one contiguous array and
/// scored with SIMD dot products (equal to cosine similarity for unit vectors). The cache is rebuilt when the store's write
/// generation changes.
/// </summary>
/// <remarks>Thread-safe: searches read an immutable snapshot; reloads are serialised.</remarks>
internal sealed class ExactVectorIndex
{
    private readonly Lock _loadLock = new();
    private Snapshot? _snapshot;

    public Snapshot GetOrLoad(long generation, Func<Snapshot> load)
    {
        Snapshot? current = Volatile.Read(ref _snapshot);
        if (current is not null && current.Generation == generation)
        {
            return current;
        }

        lock (_loadLock)
        {
            current = _snapshot;
            if (current is null || current.Generation != generation)
            {
                current = load();
                Volatile.Write(ref _snapshot, current);
            }

            return current;
        }
    }

    /// <summary>The <paramref name="limit"/> most similar chunks, best first, ties broken by chunk id.</summary>
    public static List<ScoredChunk> Search(Snapshot snapshot, ReadOnlySpan<float> query, IReadOnlySet<long>? allowedDocuments, int limit)
    {
        var worstFirst = new PriorityQueue<long, (float Score, long Id)>(limit + 1, WorstFirst.Instance);
        int dimensions = snapshot.Dimensions;
        ReadOnlySpan<float> vectors = snapshot.Vectors;
        for (int row = 0; row < snapshot.ChunkIds.Length; row++)
        {
            if (allowedDocuments is not null && !allowedDocuments.Contains(snapshot.DocumentIds[row]))
            {
                continue;
            }

            float score = TensorPrimitives.Dot(query, vectors.Slice(row * dimensions, dimensions));
            long id = snapshot.ChunkIds[row];
            if (worstFirst.Count < limit)
            {
                worstFirst.Enqueue(id, (score, id));
            }
            else if (worstFirst.TryPeek(out _, out (float Score, long Id) worst) && WorstFirst.Instance.Compare((score, id), worst) > 0)
            {
                worstFirst.DequeueEnqueue(id, (score, id));
            }
        }

        var results = new List<ScoredChunk>(worstFirst.Count);
        while (worstFirst.TryDequeue(out long id, out (float Score, long Id) priority))
        {
            results.Add(new ScoredChunk(id, priority.Score));
        }

        results.Reverse();
        return results;
    }

    /// <summary>The cached vectors of one store generation.</summary>
    internal sealed record Snapshot(long Generation, int Dimensions, long[] ChunkIds, long[] DocumentIds, float[] Vectors);

    /// <summary>Orders lower scores first, and for equal scores higher ids first, so the queue's head is the entry to drop.</summary>
    private sealed class WorstFirst : IComparer<(float Score, long Id)>
    {
        public static readonly WorstFirst Instance = new();

        public int Compare((float Score, long Id) x, (float Score, long Id) y)
        {
            int byScore = x.Score.CompareTo(y.Score);
            return byScore != 0 ? byScore : y.Id.CompareTo(x.Id);
        }
    }
}
