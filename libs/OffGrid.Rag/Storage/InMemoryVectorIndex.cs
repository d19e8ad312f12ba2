using System.Numerics;
using System.Numerics.Tensors;

namespace OffGrid.Rag.Storage;

/// <summary>
/// The in-process vector index behind <see cref="VectorSearchBackend.Exact"/> and <see cref="VectorSearchBackend.Quantized"/>:
/// rows live in fixed-size segments, so a write appends or tombstones rows in place instead of reloading the store.
/// Exact rows keep the unit-length float32 vector and are scored with SIMD dot products. Quantized rows keep one bit per
/// dimension (sign around the per-dimension mean) and an int8 copy with a per-row scale: a Hamming scan over the bits picks
/// candidates, the int8 dot product re-ranks them, and the store re-scores the survivors with the stored float vectors.
/// </summary>
/// <remarks>
/// Thread-safe: searches hold a read lock for their scan only; writes (<see cref="Apply"/>) and reloads hold the write lock.
/// The index records the store generation it reflects; a search that sees another generation in the database (a write by
/// another process, or a missed delta) reloads it whole.
/// </remarks>
internal sealed class InMemoryVectorIndex : IDisposable
{
    private const int SegmentRows = 16_384;

    // Below this many rows one thread scans; above it every core takes a share of the segments.
    private const int ParallelScanRows = 65_536;

    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly List<Segment> _segments = [];
    private long _generation = -1;
    private int _dimensions;
    private int _words;
    private float[] _center = [];
    private long _rowsAtCentering;
    private long _liveRows;
    private long _deadRows;

    public InMemoryVectorIndex(bool quantized)
    {
        Quantized = quantized;
    }

    public bool Quantized { get; }

    /// <summary>How many times the whole index was loaded from the store (writes of this process are applied as deltas instead).</summary>
    public int Reloads { get; private set; }

    /// <summary>The rows that are searched (tombstoned ones excluded).</summary>
    public long Count => Interlocked.Read(ref _liveRows);

    /// <summary>Bytes held by the rows (ids, codes or vectors), for the memory figure.</summary>
    public long MemoryBytes
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                return _segments.Sum(s => s.MemoryBytes);
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="search"/> under the read lock once the index reflects the store's current generation, calling
    /// <paramref name="reload"/> (under the write lock) first when it does not; <paramref name="reload"/> reads the store in
    /// one read transaction and hands the rows to <see cref="Reload"/>.
    /// </summary>
    public T Read<T>(Func<long> generation, Action<InMemoryVectorIndex> reload, Func<InMemoryVectorIndex, T> search)
    {
        _lock.EnterReadLock();
        try
        {
            if (_generation == generation())
            {
                return search(this);
            }
        }
        finally
        {
            _lock.ExitReadLock();
        }

        // The first search after a foreign write reloads; it then searches under the same (exclusive) lock.
        _lock.EnterWriteLock();
        try
        {
            if (_generation != generation())
            {
                reload(this);
            }

            return search(this);
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Replaces every row (caller holds the write lock, inside <see cref="Read{T}"/>'s reload).</summary>
    /// <param name="generation">The store generation the rows belong to.</param>
    /// <param name="dimensions">The vector size.</param>
    /// <param name="rows">Enumerates the rows; called twice for a quantized index (the mean first). Rows may share one vector buffer.</param>
    public void Reload(long generation, int dimensions, Func<IEnumerable<Row>> rows)
    {
        Reset(dimensions);
        if (Quantized)
        {
            long count = 0;
            foreach (Row row in rows())
            {
                TensorPrimitives.Add(_center, row.Vector, _center);
                count++;
            }

            if (count > 0)
            {
                TensorPrimitives.Divide(_center, count, _center);
            }

            _rowsAtCentering = count;
        }

        AppendRows(rows());
        _generation = generation;
        Reloads++;
    }

    /// <summary>Takes the write lock for a store commit; the commit and <see cref="Apply"/> run inside it.</summary>
    public WriteScope BeginWrite()
    {
        _lock.EnterWriteLock();
        return new WriteScope(_lock);
    }

    /// <summary>
    /// Applies a committed write (caller holds <see cref="BeginWrite"/>): tombstones the rows of <paramref name="removedDocuments"/>
    /// and appends <paramref name="added"/>. Applied only when the index was at <paramref name="previousGeneration"/>; otherwise
    /// it is left stale and the next search reloads it.
    /// </summary>
    public void Apply(long previousGeneration, long newGeneration, IReadOnlyCollection<long> removedDocuments, IReadOnlyList<Row> added)
    {
        if (_generation != previousGeneration || (added.Count > 0 && _dimensions != 0 && added[0].Vector.Length != _dimensions))
        {
            _generation = -1;
            return;
        }

        if (_dimensions == 0 && added.Count > 0)
        {
            Reset(added[0].Vector.Length);
        }

        if (removedDocuments.Count > 0)
        {
            Tombstone(removedDocuments);
        }

        AppendRows(added);
        _generation = newGeneration;

        // Many tombstones waste scan time; a bits threshold centred on a small early sample loses recall as the data grows.
        if ((_deadRows > 10_000 && _deadRows > _liveRows) || (Quantized && _liveRows > 1_000 && _liveRows > 2 * _rowsAtCentering))
        {
            _generation = -1;
        }
    }

    /// <summary>The most similar rows, best first: exact scores, or for a quantized index the int8 estimates of the candidates to re-score.</summary>
    public List<ScoredChunk> Search(ReadOnlySpan<float> query, IReadOnlySet<long>? allowedDocuments, int limit)
    {
        if (_dimensions == 0 || query.Length != _dimensions)
        {
            return [];
        }

        return Quantized ? SearchQuantized(query.ToArray(), allowedDocuments, limit) : SearchExact(query.ToArray(), allowedDocuments, limit);
    }

    public void Dispose() => _lock.Dispose();

    private void Reset(int dimensions)
    {
        _segments.Clear();
        _dimensions = dimensions;
        _words = (dimensions + 63) / 64;
        _center = new float[dimensions];
        _rowsAtCentering = 0;
        _liveRows = 0;
        _deadRows = 0;
    }

    private void AppendRows(IEnumerable<Row> rows)
    {
        foreach (Row row in rows)
        {
            if (_segments.Count == 0 || _segments[^1].Count == SegmentRows)
            {
                _segments.Add(new Segment(_dimensions, _words, Quantized));
            }

            _segments[^1].Add(row, _center);
            _liveRows++;
        }
    }

    private void Tombstone(IReadOnlyCollection<long> documents)
    {
        var set = documents as IReadOnlySet<long> ?? documents.ToHashSet();
        foreach (Segment segment in _segments)
        {
            for (int i = 0; i < segment.Count; i++)
            {
                if (!segment.Dead[i] && set.Contains(segment.DocumentIds[i]))
                {
                    segment.Dead[i] = true;
                    _liveRows--;
                    _deadRows++;
                }
            }
        }
    }

    private List<ScoredChunk> SearchExact(float[] query, IReadOnlySet<long>? allowed, int limit) =>
        [.. ScanCandidates(limit, (segment, heap) =>
        {
            ReadOnlySpan<float> vectors = segment.Vectors;
            for (int row = 0; row < segment.Count; row++)
            {
                if (segment.Dead[row] || (allowed is not null && !allowed.Contains(segment.DocumentIds[row])))
                {
                    continue;
                }

                heap.Offer(TensorPrimitives.Dot(query, vectors.Slice(row * _dimensions, _dimensions)), segment.ChunkIds[row]);
            }
        }).Select(c => new ScoredChunk(c.ChunkId, c.Score))];

    private List<ScoredChunk> SearchQuantized(float[] query, IReadOnlySet<long>? allowed, int limit)
    {
        ulong[] bits = new ulong[_words];
        Segment.Binarize(query, _center, bits);
        int candidates = Math.Max(limit * 16, 1024);

        // Stage 1: Hamming distance over the sign bits (negated so that higher is better).
        List<Candidate> picked = ScanCandidates(candidates, (segment, heap) =>
        {
            ReadOnlySpan<ulong> codes = segment.Bits;
            for (int row = 0; row < segment.Count; row++)
            {
                if (segment.Dead[row] || (allowed is not null && !allowed.Contains(segment.DocumentIds[row])))
                {
                    continue;
                }

                ReadOnlySpan<ulong> code = codes.Slice(row * _words, _words);
                int distance = 0;
                for (int w = 0; w < code.Length; w++)
                {
                    distance += BitOperations.PopCount(code[w] ^ bits[w]);
                }

                heap.Offer(-distance, segment.ChunkIds[row], segment, row);
            }
        });

        // Stage 2: the int8 estimate of the dot product; the store re-scores the best of these with the float vectors.
        var heap = new TopK(Math.Max(limit * 2, 64));
        foreach (Candidate candidate in picked)
        {
            heap.Offer(candidate.Segment!.Int8Dot(query, candidate.Row), candidate.ChunkId);
        }

        return heap.ToList();
    }

    private List<Candidate> ScanCandidates(int limit, Action<Segment, TopK> scan)
    {
        int workers = _liveRows >= ParallelScanRows ? Math.Min(Environment.ProcessorCount, _segments.Count) : 1;
        var heaps = new TopK[workers];
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, worker =>
        {
            var heap = new TopK(limit);
            for (int s = worker; s < _segments.Count; s += workers)
            {
                scan(_segments[s], heap);
            }

            heaps[worker] = heap;
        });

        var merged = new TopK(limit);
        foreach (TopK heap in heaps)
        {
            heap.DrainInto(merged);
        }

        return merged.ToEntries();
    }

    /// <summary>One row to index: a chunk, its document and its unit-length vector.</summary>
    internal readonly record struct Row(long ChunkId, long DocumentId, float[] Vector);

    /// <summary>Releases the write lock taken by <see cref="BeginWrite"/>.</summary>
    internal readonly struct WriteScope(ReaderWriterLockSlim gate) : IDisposable
    {
        public void Dispose() => gate.ExitWriteLock();
    }

    /// <summary>Up to 16,384 rows in flat arrays.</summary>
    private sealed class Segment
    {
        private readonly int _dimensions;
        private readonly int _words;

        public Segment(int dimensions, int words, bool quantized)
        {
            _dimensions = dimensions;
            _words = words;
            if (quantized)
            {
                Bits = new ulong[SegmentRows * words];
                Int8 = new sbyte[SegmentRows * dimensions];
                Scales = new float[SegmentRows];
            }
            else
            {
                Vectors = new float[SegmentRows * dimensions];
            }
        }

        public int Count { get; private set; }

        public long[] ChunkIds { get; } = new long[SegmentRows];

        public long[] DocumentIds { get; } = new long[SegmentRows];

        public bool[] Dead { get; } = new bool[SegmentRows];

        public float[] Vectors { get; } = [];

        public ulong[] Bits { get; } = [];

        public sbyte[] Int8 { get; } = [];

        public float[] Scales { get; } = [];

        public long MemoryBytes => (ChunkIds.Length * 17L) + (Vectors.Length * 4L) + (Bits.Length * 8L) + Int8.Length + (Scales.Length * 4L);

        public static void Binarize(ReadOnlySpan<float> vector, ReadOnlySpan<float> center, Span<ulong> bits)
        {
            bits.Clear();
            for (int i = 0; i < vector.Length; i++)
            {
                if (vector[i] > center[i])
                {
                    bits[i >> 6] |= 1UL << (i & 63);
                }
            }
        }

        public void Add(Row row, ReadOnlySpan<float> center)
        {
            int at = Count;
            ChunkIds[at] = row.ChunkId;
            DocumentIds[at] = row.DocumentId;
            if (Vectors.Length > 0)
            {
                row.Vector.CopyTo(Vectors.AsSpan(at * _dimensions, _dimensions));
            }
            else
            {
                Binarize(row.Vector, center, Bits.AsSpan(at * _words, _words));
                // MaxMagnitude returns the signed element with the largest magnitude.
                float max = MathF.Abs(TensorPrimitives.MaxMagnitude(row.Vector));
                float scale = max > 0 ? max / 127f : 1f;
                Scales[at] = scale;
                Span<sbyte> codes = Int8.AsSpan(at * _dimensions, _dimensions);
                for (int i = 0; i < _dimensions; i++)
                {
                    codes[i] = (sbyte)Math.Clamp(MathF.Round(row.Vector[i] / scale), -127, 127);
                }
            }

            Count = at + 1;
        }

        public float Int8Dot(ReadOnlySpan<float> query, int row)
        {
            ReadOnlySpan<sbyte> codes = Int8.AsSpan(row * _dimensions, _dimensions);
            float sum = 0;
            for (int i = 0; i < codes.Length; i++)
            {
                sum += codes[i] * query[i];
            }

            return sum * Scales[row];
        }
    }

    /// <summary>A row that made it into a top list, with its score and where it lives.</summary>
    private readonly record struct Candidate(long ChunkId, float Score, Segment? Segment, int Row);

    /// <summary>A bounded min-heap that keeps the highest scores; equal scores keep the lower chunk id.</summary>
    private sealed class TopK(int capacity)
    {
        private readonly PriorityQueue<Candidate, (float Score, long Id)> _queue = new(capacity + 1, WorstFirst.Instance);

        public void Offer(float score, long chunkId, Segment? segment = null, int row = -1)
        {
            if (_queue.Count < capacity)
            {
                _queue.Enqueue(new Candidate(chunkId, score, segment, row), (score, chunkId));
            }
            else if (_queue.TryPeek(out _, out (float Score, long Id) worst) && WorstFirst.Instance.Compare((score, chunkId), worst) > 0)
            {
                _queue.DequeueEnqueue(new Candidate(chunkId, score, segment, row), (score, chunkId));
            }
        }

        public void DrainInto(TopK other)
        {
            while (_queue.TryDequeue(out Candidate entry, out _))
            {
                other.Offer(entry.Score, entry.ChunkId, entry.Segment, entry.Row);
            }
        }

        public List<ScoredChunk> ToList() => [.. ToEntries().Select(e => new ScoredChunk(e.ChunkId, e.Score))];

        /// <summary>Empties the heap into a list, best first.</summary>
        public List<Candidate> ToEntries()
        {
            var items = new List<Candidate>(_queue.Count);
            while (_queue.TryDequeue(out Candidate entry, out _))
            {
                items.Add(entry);
            }

            items.Reverse();
            return items;
        }
    }

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
