using System.Runtime.InteropServices;

namespace OffGrid.Inference.Native;

/// <summary>
/// A reusable native <c>llama_batch</c> where every token belongs to exactly one sequence, allocated once
/// per context so that building a batch on the hot path allocates nothing.
/// </summary>
internal sealed unsafe class LlamaBatchBuffer : IDisposable
{
    private readonly int* _tokens;
    private readonly int* _positions;
    private readonly int* _sequenceIdCounts;
    private readonly int** _sequenceIds;
    private readonly int* _sequenceIdStorage;
    private readonly sbyte* _logits;
    private bool _disposed;

    public LlamaBatchBuffer(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _tokens = (int*)NativeMemory.Alloc((nuint)capacity, sizeof(int));
        _positions = (int*)NativeMemory.Alloc((nuint)capacity, sizeof(int));
        _sequenceIdCounts = (int*)NativeMemory.Alloc((nuint)capacity, sizeof(int));
        _sequenceIds = (int**)NativeMemory.Alloc((nuint)capacity, (nuint)sizeof(int*));
        _sequenceIdStorage = (int*)NativeMemory.Alloc((nuint)capacity, sizeof(int));
        _logits = (sbyte*)NativeMemory.Alloc((nuint)capacity, 1);
        for (int i = 0; i < capacity; i++)
        {
            _sequenceIdCounts[i] = 1;
            _sequenceIds[i] = _sequenceIdStorage + i;
        }
    }

    /// <summary>The most tokens the batch can hold.</summary>
    public int Capacity { get; }

    /// <summary>The number of tokens added since the last <see cref="Clear"/>.</summary>
    public int Count { get; private set; }

    /// <summary>Adds one token and returns its index in the batch (the index used to read its logits).</summary>
    public int Add(int token, int position, int sequenceId, bool outputLogits)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Count == Capacity)
        {
            throw new InvalidOperationException("The batch is full.");
        }

        int index = Count++;
        _tokens[index] = token;
        _positions[index] = position;
        _sequenceIdStorage[index] = sequenceId;
        _logits[index] = outputLogits ? (sbyte)1 : (sbyte)0;
        return index;
    }

    /// <summary>Removes every token.</summary>
    public void Clear() => Count = 0;

    /// <summary>The native view of the batch, valid until the next change.</summary>
    public LlamaBatch ToNative()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new LlamaBatch
        {
            TokenCount = Count,
            Tokens = _tokens,
            Embeddings = null,
            Positions = _positions,
            SequenceIdCounts = _sequenceIdCounts,
            SequenceIds = _sequenceIds,
            Logits = _logits,
        };
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        NativeMemory.Free(_tokens);
        NativeMemory.Free(_positions);
        NativeMemory.Free(_sequenceIdCounts);
        NativeMemory.Free(_sequenceIds);
        NativeMemory.Free(_sequenceIdStorage);
        NativeMemory.Free(_logits);
    }
}
