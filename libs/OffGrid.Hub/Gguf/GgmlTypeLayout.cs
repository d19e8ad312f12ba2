namespace OffGrid.Hub.Gguf;

/// <summary>Block geometry of ggml storage types: how many elements one block holds and how many bytes it takes.</summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static class GgmlTypeLayout
{
    /// <summary>Gets the block geometry of <paramref name="type"/>.</summary>
    /// <param name="type">The storage type.</param>
    /// <param name="elementsPerBlock">Elements in one block (1 for plain scalar types).</param>
    /// <param name="bytesPerBlock">Bytes one block occupies.</param>
    /// <returns><see langword="true"/> when the type is known; otherwise <see langword="false"/>.</returns>
    public static bool TryGetBlock(GgmlType type, out int elementsPerBlock, out int bytesPerBlock)
    {
        (elementsPerBlock, bytesPerBlock) = type switch
        {
            GgmlType.F32 => (1, 4),
            GgmlType.F16 => (1, 2),
            GgmlType.BF16 => (1, 2),
            GgmlType.F64 => (1, 8),
            GgmlType.I8 => (1, 1),
            GgmlType.I16 => (1, 2),
            GgmlType.I32 => (1, 4),
            GgmlType.I64 => (1, 8),
            GgmlType.Q4_0 => (32, 18),
            GgmlType.Q4_1 => (32, 20),
            GgmlType.Q5_0 => (32, 22),
            GgmlType.Q5_1 => (32, 24),
            GgmlType.Q8_0 => (32, 34),
            GgmlType.Q8_1 => (32, 36),
            GgmlType.IQ4_NL => (32, 18),
            GgmlType.MXFP4 => (32, 17),
            GgmlType.NVFP4 => (64, 36),
            GgmlType.Q1_0 => (128, 18),
            GgmlType.Q2_0 => (64, 18),
            GgmlType.Q2_K => (256, 84),
            GgmlType.Q3_K => (256, 110),
            GgmlType.Q4_K => (256, 144),
            GgmlType.Q5_K => (256, 176),
            GgmlType.Q6_K => (256, 210),
            GgmlType.Q8_K => (256, 292),
            GgmlType.IQ2_XXS => (256, 66),
            GgmlType.IQ2_XS => (256, 74),
            GgmlType.IQ2_S => (256, 82),
            GgmlType.IQ3_XXS => (256, 98),
            GgmlType.IQ3_S => (256, 110),
            GgmlType.IQ1_S => (256, 50),
            GgmlType.IQ1_M => (256, 56),
            GgmlType.IQ4_XS => (256, 136),
            GgmlType.TQ1_0 => (256, 54),
            GgmlType.TQ2_0 => (256, 66),
            _ => (0, 0),
        };
        return elementsPerBlock > 0;
    }

    /// <summary>Computes the bytes that <paramref name="elementCount"/> elements of <paramref name="type"/> occupy.</summary>
    /// <param name="type">The storage type.</param>
    /// <param name="elementCount">The number of elements; a partial last block counts as a whole block.</param>
    /// <returns>The size in bytes, or <see langword="null"/> when the type is unknown.</returns>
    public static long? GetByteCount(GgmlType type, long elementCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(elementCount);
        if (!TryGetBlock(type, out int perBlock, out int blockBytes))
        {
            return null;
        }

        long blocks = (elementCount + perBlock - 1) / perBlock;
        return checked(blocks * blockBytes);
    }
}
