using System.Runtime.Intrinsics;

namespace OffGrid.Inference.Engine;

/// <summary>
/// Picks the most likely token straight from the logits, for requests whose sampler chain would be llama.cpp's greedy
/// sampler alone: that sampler first copies every logit into a candidate array (12 bytes a token, per token generated),
/// which costs more than the choice itself, and grows with the vocabulary.
/// </summary>
/// <remarks>
/// Chooses exactly what <c>llama_sampler_init_greedy</c> chooses: the first index whose logit no later logit exceeds
/// with <c>&gt;</c> (so a NaN is never chosen over index 0, and index 0 is kept when it is NaN). Thread-safe (stateless).
/// </remarks>
internal static class GreedySampler
{
    /// <summary>Returns the index of the first greatest logit; <paramref name="logits"/> must not be empty.</summary>
    public static int ArgMax(ReadOnlySpan<float> logits)
    {
        int best = 0;
        float bestValue = logits[0];
        int i = 1;
        if (Vector256.IsHardwareAccelerated)
        {
            // A block is scanned one by one only when something in it beats the best so far: NaN never compares greater,
            // so the scalar rule decides every case, in the same order.
            for (; i <= logits.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                if (Vector256.GreaterThanAny(Vector256.Create(logits.Slice(i, Vector256<float>.Count)), Vector256.Create(bestValue)))
                {
                    (best, bestValue) = ScanBlock(logits, i, i + Vector256<float>.Count, best, bestValue);
                }
            }
        }

        return ScanBlock(logits, i, logits.Length, best, bestValue).Index;
    }

    private static (int Index, float Value) ScanBlock(ReadOnlySpan<float> logits, int from, int to, int best, float bestValue)
    {
        for (int i = from; i < to; i++)
        {
            if (logits[i] > bestValue)
            {
                (best, bestValue) = (i, logits[i]);
            }
        }

        return (best, bestValue);
    }
}
