using System.Text;

namespace OffGrid.Inference.Grammar;

/// <summary>
/// Follows text through a <see cref="CompiledGrammar"/> one code point at a time, the way llama.cpp's grammar sampler
/// advances (a set of parse stacks, each with a terminal on top), and tells the shortest text that completes it.
/// </summary>
/// <remarks>
/// Immutable: <see cref="Advance(int)"/> returns a new matcher, so a caller can keep the previous state and go back to it.
/// Thread-safe.
/// </remarks>
internal sealed class GrammarMatcher
{
    // A guard against grammars so ambiguous that following them costs more than it saves.
    private const int MaxStacks = 4096;

    private readonly CompiledGrammar _grammar;
    private readonly HashSet<Frame?> _stacks;

    private GrammarMatcher(CompiledGrammar grammar, HashSet<Frame?> stacks)
    {
        _grammar = grammar;
        _stacks = stacks;
    }

    /// <summary>Whether the text so far left the grammar (or became too ambiguous to follow).</summary>
    public bool IsDead => _stacks.Count == 0;

    /// <summary>Whether the text so far is a complete match, so generation may stop here.</summary>
    public bool CanEnd => _stacks.Contains(null);

    /// <summary>The matcher at the start of <paramref name="grammar"/>'s root rule.</summary>
    public static GrammarMatcher Start(CompiledGrammar grammar)
    {
        ArgumentNullException.ThrowIfNull(grammar);
        var stacks = new HashSet<Frame?>();
        foreach (GrammarSymbol[] alternative in grammar.Rules[grammar.Root])
        {
            Expand(grammar, alternative.Length == 0 ? null : new Frame(alternative, 0, null), stacks, []);
        }

        return new GrammarMatcher(grammar, stacks);
    }

    /// <summary>The matcher after <paramref name="codePoint"/>; <see cref="IsDead"/> when the grammar does not allow it.</summary>
    public GrammarMatcher Advance(int codePoint)
    {
        var next = new HashSet<Frame?>();
        var visited = new HashSet<(int, Frame?)>();
        foreach (Frame? stack in _stacks)
        {
            if (stack is not null && stack.Symbol.Matches(codePoint))
            {
                Expand(_grammar, stack.Advance(), next, visited);
                if (next.Count > MaxStacks)
                {
                    return new GrammarMatcher(_grammar, []);
                }
            }
        }

        return new GrammarMatcher(_grammar, next);
    }

    /// <summary>The matcher after every code point of <paramref name="text"/>.</summary>
    public GrammarMatcher Advance(string text)
    {
        GrammarMatcher matcher = this;
        foreach (Rune rune in text.EnumerateRunes())
        {
            matcher = matcher.Advance(rune.Value);
            if (matcher.IsDead)
            {
                break;
            }
        }

        return matcher;
    }

    /// <summary>The shortest text (in UTF-8 bytes) that completes the match: empty when it may end now, <see langword="null"/> when it cannot be completed.</summary>
    public string? ShortestCompletion()
    {
        Frame? best = null;
        long bestCost = long.MaxValue;
        foreach (Frame? stack in _stacks)
        {
            if (stack is null)
            {
                return string.Empty;
            }

            long cost = 0;
            for (Frame? frame = stack; frame is not null && cost < bestCost; frame = frame.Parent)
            {
                cost += _grammar.MinBytesFrom(frame.Alternative, frame.Index);
            }

            if (cost < bestCost)
            {
                (best, bestCost) = (stack, cost);
            }
        }

        if (best is null || bestCost >= long.MaxValue / 4)
        {
            return null;
        }

        var text = new StringBuilder();
        for (Frame? frame = best; frame is not null; frame = frame.Parent)
        {
            _grammar.AppendShortest(frame.Alternative, frame.Index, text);
        }

        return text.ToString();
    }

    // Adds every stack reachable from 'stack' whose top is a terminal (or the empty stack, which means "complete").
    private static void Expand(CompiledGrammar grammar, Frame? stack, HashSet<Frame?> into, HashSet<(int, Frame?)> visited)
    {
        if (stack is null || stack.Symbol.IsTerminal)
        {
            into.Add(stack);
            return;
        }

        int rule = stack.Symbol.RuleId;
        Frame? rest = stack.Advance();

        // A rule that can derive the empty text could otherwise loop back to itself without consuming anything.
        if (!visited.Add((rule, rest)))
        {
            return;
        }

        foreach (GrammarSymbol[] alternative in grammar.Rules[rule])
        {
            Expand(grammar, alternative.Length == 0 ? rest : new Frame(alternative, 0, rest), into, visited);
        }
    }

    /// <summary>
    /// An immutable stack entry: a position inside one alternative, above the entries of the rules that called it.
    /// Equal when every entry down the stack is at the same place (alternatives compare by reference).
    /// </summary>
    private sealed record Frame(GrammarSymbol[] Alternative, int Index, Frame? Parent)
    {
        public GrammarSymbol Symbol => Alternative[Index];

        // Moving past the last symbol pops the frame, so repetitions written as tail calls do not deepen the stack.
        public Frame? Advance() => Index + 1 < Alternative.Length ? this with { Index = Index + 1 } : Parent;
    }
}
