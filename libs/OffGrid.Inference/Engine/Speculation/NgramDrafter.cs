namespace OffGrid.Inference.Engine.Speculation;

/// <summary>
/// Prompt-lookup drafting: finds the latest earlier occurrence of the sequence's last <c>n</c> tokens and proposes the
/// tokens that followed it. Costs no model, and pays off where the answer repeats its input (edits, code, quotes).
/// </summary>
internal sealed class NgramDrafter(int size) : ITokenDrafter
{
    public int Draft(int sequenceId, IReadOnlyList<int> history, int last, Span<int> destination)
    {
        int total = history.Count + 1;
        if (total <= size)
        {
            return 0;
        }

        int At(int i) => i < history.Count ? history[i] : last;

        int patternStart = total - size;
        for (int start = patternStart - 1; start >= 0; start--)
        {
            int matched = 0;
            while (matched < size && At(start + matched) == At(patternStart + matched))
            {
                matched++;
            }

            if (matched < size)
            {
                continue;
            }

            int count = Math.Min(destination.Length, total - (start + size));
            for (int i = 0; i < count; i++)
            {
                destination[i] = At(start + size + i);
            }

            return count;
        }

        return 0;
    }
}
