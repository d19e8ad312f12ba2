using System.Text;

namespace OffGrid.Inference.Tests.Grammar;

/// <summary>
/// Decides whether a GBNF grammar accepts a whole text, the way llama.cpp's grammar sampler advances:
/// a set of parse stacks, each pointing at the next expected terminal, stepped one code point at a time.
/// </summary>
internal sealed class GbnfRecognizer
{
    private const int MaxStacks = 200_000;
    private readonly GbnfProgram _program;

    public GbnfRecognizer(GbnfProgram program)
    {
        _program = program;
    }

    public static bool Accepts(string grammar, string text) => new GbnfRecognizer(GbnfProgram.Parse(grammar)).Accepts(text);

    public bool Accepts(string text) => Run(text, out _);

    /// <summary>Runs the grammar over <paramref name="text"/>; <paramref name="consumed"/> is how many code points it got through.</summary>
    public bool Run(string text, out int consumed)
    {
        var stacks = new HashSet<Frame?>();
        foreach (GbnfSymbol[] alternative in _program.Rules[_program.RootRule])
        {
            Expand(alternative.Length == 0 ? null : new Frame(alternative, 0, null), stacks, 0);
        }

        consumed = 0;
        foreach (Rune rune in text.EnumerateRunes())
        {
            var next = new HashSet<Frame?>();
            foreach (Frame? stack in stacks)
            {
                if (stack is not null && stack.Symbol.Matches(rune.Value))
                {
                    Expand(stack.Advance(), next, 0);
                }
            }

            if (next.Count == 0)
            {
                return false;
            }

            if (next.Count > MaxStacks)
            {
                throw new InvalidOperationException("The grammar is too ambiguous to check.");
            }

            stacks = next;
            consumed++;
        }

        // The empty stack means every rule is complete.
        return stacks.Contains(null);
    }

    // Adds every stack reachable from 'stack' whose top is a terminal (or the empty stack).
    private void Expand(Frame? stack, HashSet<Frame?> into, int depth)
    {
        if (depth > 5000)
        {
            throw new InvalidOperationException("The grammar loops without consuming input.");
        }

        if (stack is null)
        {
            into.Add(null);
            return;
        }

        GbnfSymbol symbol = stack.Symbol;
        if (symbol.IsTerminal)
        {
            into.Add(stack);
            return;
        }

        Frame? rest = stack.Advance();
        foreach (GbnfSymbol[] alternative in _program.Rules[symbol.RuleId])
        {
            Expand(alternative.Length == 0 ? rest : new Frame(alternative, 0, rest), into, depth + 1);
        }
    }

    /// <summary>An immutable stack entry: a position inside one alternative, above the entries of the callers.</summary>
    private sealed class Frame : IEquatable<Frame>
    {
        private readonly int _hash;

        public Frame(GbnfSymbol[] alternative, int index, Frame? parent)
        {
            Alternative = alternative;
            Index = index;
            Parent = parent;
            _hash = HashCode.Combine(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(alternative), index, parent?._hash ?? 0);
        }

        public GbnfSymbol[] Alternative { get; }

        public int Index { get; }

        public Frame? Parent { get; }

        public GbnfSymbol Symbol => Alternative[Index];

        // Moving past the last symbol pops the frame, so tail positions do not pile up.
        public Frame? Advance() => Index + 1 < Alternative.Length ? new Frame(Alternative, Index + 1, Parent) : Parent;

        public bool Equals(Frame? other)
        {
            Frame? a = this;
            Frame? b = other;
            while (a is not null && b is not null)
            {
                if (ReferenceEquals(a, b))
                {
                    return true;
                }

                if (a._hash != b._hash || a.Index != b.Index || !ReferenceEquals(a.Alternative, b.Alternative))
                {
                    return false;
                }

                a = a.Parent;
                b = b.Parent;
            }

            return a is null && b is null;
        }

        public override bool Equals(object? obj) => obj is Frame other && Equals(other);

        public override int GetHashCode() => _hash;
    }
}
