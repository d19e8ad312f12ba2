namespace OffGrid.Hub.Gguf;

/// <summary>Describes one tensor of a GGUF file: its name, shape, storage type and where its data starts.</summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed class GgufTensorInfo
{
    internal GgufTensorInfo(string name, long[] dimensions, GgmlType type, long offset, int part = 0)
    {
        Name = name;
        Dimensions = Array.AsReadOnly(dimensions);
        Type = type;
        Offset = offset;
        Part = part;
        long count = 1;
        foreach (long d in dimensions)
        {
            count = checked(count * d);
        }

        ElementCount = count;
        ByteCount = GgmlTypeLayout.GetByteCount(type, count);
    }

    /// <summary>Gets the tensor name, for example <c>blk.0.attn_q.weight</c>.</summary>
    public string Name { get; }

    /// <summary>Gets the dimensions, innermost (contiguous) first, as ggml orders them.</summary>
    public IReadOnlyList<long> Dimensions { get; }

    /// <summary>Gets the storage type of the elements.</summary>
    public GgmlType Type { get; }

    /// <summary>Gets the offset of the tensor data relative to the start of the data section of the file that holds it (<see cref="GgufFile.DataOffset"/> for the first part).</summary>
    public long Offset { get; }

    /// <summary>Gets the index of the file that holds the tensor in <see cref="GgufFile.PartPaths"/> (0 unless the model is split).</summary>
    public int Part { get; }

    /// <summary>Gets the number of elements (the product of the dimensions).</summary>
    public long ElementCount { get; }

    /// <summary>Gets the size of the tensor data in bytes, or <see langword="null"/> when the storage type is unknown.</summary>
    public long? ByteCount { get; }

    internal GgufTensorInfo InPart(int part) => part == Part ? this : new(Name, [.. Dimensions], Type, Offset, part);

    /// <inheritdoc/>
    public override string ToString() => $"{Name} {Type} [{string.Join(", ", Dimensions)}]";
}
