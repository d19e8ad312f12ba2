using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace OffGrid.Rag.Embeddings;

/// <summary>Vector helpers: unit-length normalisation (so that cosine similarity is a dot product) and the float32 BLOB layout shared with sqlite-vec.</summary>
internal static class VectorMath
{
    public static float[] Normalize(ReadOnlySpan<float> vector)
    {
        float[] result = vector.ToArray();
        float norm = TensorPrimitives.Norm(result);
        if (norm > 0 && float.IsFinite(norm))
        {
            TensorPrimitives.Divide(result, norm, result);
        }

        return result;
    }

    /// <summary>The little-endian float32 array that sqlite-vec reads as a vector.</summary>
    public static byte[] ToBlob(ReadOnlySpan<float> vector) => MemoryMarshal.AsBytes(vector).ToArray();

    public static void FromBlob(ReadOnlySpan<byte> blob, Span<float> destination) => MemoryMarshal.Cast<byte, float>(blob).CopyTo(destination);
}
