using System.Text;

namespace OffGrid.Inference.Tests.Grammar;

/// <summary>
/// Generates random texts from a GBNF grammar, choosing alternatives and characters blindly like a model
/// with random weights behind llama.cpp's grammar sampler. Past a length budget it takes the shortest way
/// out, which is only possible when the grammar lets generation end.
/// </summary>
internal sealed class GbnfSampler
{
    // Characters offered for negated classes: ASCII, controls, and a few multi-byte and astral ones.
    private static readonly int[] s_pool = [.. Enumerable.Range(0, 128), 'é', 'ß', '中', '文', 0x1F600, 0x2028];

    private readonly GbnfProgram _program;
    private readonly int[] _minLength;

    public GbnfSampler(GbnfProgram program)
    {
        _program = program;
        _minLength = ComputeMinLengths(program);
        if (_minLength[program.RootRule] == int.MaxValue)
        {
            throw new InvalidOperationException("The root rule derives no finite text.");
        }
    }

    public string Sample(Random random, int budget = 4000)
    {
        var sb = new StringBuilder();
        var work = new Stack<GbnfSymbol>();
        PushAlternative(work, Choose(_program.Rules[_program.RootRule], random, sb.Length, budget));
        while (work.Count > 0)
        {
            GbnfSymbol symbol = work.Pop();
            if (symbol.IsTerminal)
            {
                sb.Append(new Rune(PickChar(symbol, random)));
            }
            else
            {
                PushAlternative(work, Choose(_program.Rules[symbol.RuleId], random, sb.Length, budget));
            }

            if (sb.Length > budget * 4)
            {
                throw new InvalidOperationException("Generation does not end.");
            }
        }

        return sb.ToString();
    }

    private GbnfSymbol[] Choose(List<GbnfSymbol[]> alternatives, Random random, int length, int budget)
    {
        if (length < budget)
        {
            return alternatives[random.Next(alternatives.Count)];
        }

        return alternatives.MinBy(AlternativeMinLength)!;
    }

    private static void PushAlternative(Stack<GbnfSymbol> work, GbnfSymbol[] alternative)
    {
        for (int i = alternative.Length - 1; i >= 0; i--)
        {
            work.Push(alternative[i]);
        }
    }

    private int AlternativeMinLength(GbnfSymbol[] alternative)
    {
        long sum = 0;
        foreach (GbnfSymbol s in alternative)
        {
            sum += s.IsTerminal ? 1 : _minLength[s.RuleId];
        }

        return (int)Math.Min(sum, int.MaxValue);
    }

    private static int PickChar(GbnfSymbol terminal, Random random)
    {
        if (!terminal.Negated)
        {
            var (low, high) = terminal.Ranges[random.Next(terminal.Ranges.Length)];
            int cp;
            do
            {
                cp = random.Next(low, high + 1);
            }
            while (cp is >= 0xD800 and <= 0xDFFF);
            return cp;
        }

        int[] allowed = [.. s_pool.Where(terminal.Matches)];
        return allowed[random.Next(allowed.Length)];
    }

    private static int[] ComputeMinLengths(GbnfProgram program)
    {
        int[] min = [.. Enumerable.Repeat(int.MaxValue, program.Rules.Count)];
        bool changed = true;
        while (changed)
        {
            changed = false;
            for (int r = 0; r < program.Rules.Count; r++)
            {
                foreach (GbnfSymbol[] alternative in program.Rules[r])
                {
                    long sum = 0;
                    foreach (GbnfSymbol s in alternative)
                    {
                        sum += s.IsTerminal ? 1 : min[s.RuleId];
                    }

                    if (sum < min[r])
                    {
                        min[r] = (int)sum;
                        changed = true;
                    }
                }
            }
        }

        return min;
    }
}
