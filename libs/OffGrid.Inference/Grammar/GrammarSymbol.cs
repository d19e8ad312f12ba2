using System.Text;

namespace OffGrid.Inference.Grammar;

/// <summary>One symbol of a <see cref="CompiledGrammar"/> rule: a set of code points (a terminal) or a rule reference.</summary>
internal sealed class GrammarSymbol
{
    // Preferred characters when any of several would do: a completion then reads like ordinary text.
    private static readonly int[] s_preferred = ['a', '0', 'A', ' ', '_', '-', '.'];

    private readonly int[] _ranges;

    private GrammarSymbol(int[] ranges, bool negated, int ruleId)
    {
        _ranges = ranges;
        Negated = negated;
        RuleId = ruleId;
        if (IsTerminal)
        {
            Cheapest = FindCheapest();
            CheapestBytes = Cheapest < 0 ? long.MaxValue / 4 : new Rune(Cheapest).Utf8SequenceLength;
        }
    }

    /// <summary>True for a set of code points, false for a rule reference.</summary>
    public bool IsTerminal => RuleId < 0;

    /// <summary>The referenced rule; -1 for a terminal.</summary>
    public int RuleId { get; }

    /// <summary>Whether the terminal matches every code point outside its ranges.</summary>
    public bool Negated { get; }

    /// <summary>The code point a shortest completion writes for this terminal (-1 when it matches none).</summary>
    public int Cheapest { get; } = -1;

    /// <summary>The UTF-8 length of <see cref="Cheapest"/>.</summary>
    public long CheapestBytes { get; }

    /// <summary>A terminal; <paramref name="ranges"/> holds inclusive low/high pairs.</summary>
    public static GrammarSymbol Class(int[] ranges, bool negated) => new(ranges, negated, -1);

    /// <summary>A reference to rule <paramref name="ruleId"/>.</summary>
    public static GrammarSymbol Reference(int ruleId) => new([], negated: false, ruleId);

    /// <summary>Whether the terminal accepts <paramref name="codePoint"/>.</summary>
    public bool Matches(int codePoint)
    {
        bool inRanges = false;
        for (int i = 0; i < _ranges.Length; i += 2)
        {
            if (codePoint >= _ranges[i] && codePoint <= _ranges[i + 1])
            {
                inRanges = true;
                break;
            }
        }

        return inRanges != Negated;
    }

    private int FindCheapest()
    {
        foreach (int c in s_preferred)
        {
            if (Matches(c))
            {
                return c;
            }
        }

        // The smallest matching scalar value is also the shortest in UTF-8.
        for (int c = 0; c <= 0x10FFFF; c = c == 0xD7FF ? 0xE000 : c + 1)
        {
            if (Matches(c))
            {
                return c;
            }

            if (!Negated)
            {
                // Jump to the next range start instead of scanning every code point.
                int next = int.MaxValue;
                for (int i = 0; i < _ranges.Length; i += 2)
                {
                    if (_ranges[i] > c && _ranges[i] < next)
                    {
                        next = _ranges[i];
                    }
                }

                if (next == int.MaxValue)
                {
                    return -1;
                }

                c = next - 1;
            }
        }

        return -1;
    }
}
