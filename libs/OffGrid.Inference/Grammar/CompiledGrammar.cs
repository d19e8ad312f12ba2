using System.Globalization;
using System.Text;

namespace OffGrid.Inference.Grammar;

/// <summary>
/// A GBNF grammar read into rules of plain symbol sequences, desugared the way llama.cpp does it (groups and
/// repetitions become helper rules), with the fewest UTF-8 bytes each rule can produce. <see cref="GrammarMatcher"/>
/// follows generated text through it and finds the shortest text that completes it.
/// </summary>
/// <remarks>
/// Reads the notation llama.cpp's grammar parser reads (<c>grammars/README.md</c>): rules, string literals, character
/// classes (negated too), <c>.</c>, groups, alternatives, <c>* + ?</c>, <c>{m}</c>, <c>{m,}</c>, <c>{m,n}</c> and
/// <c>#</c> comments. Immutable once built, so one instance may serve many matchers on any thread.
/// </remarks>
internal sealed class CompiledGrammar
{
    private const long Unreachable = long.MaxValue / 4;

    /// <summary>
    /// Most symbols a grammar may expand to once repetitions are spelled out, as llama.cpp spells them; a schema with
    /// many large bounds can otherwise ask for gigabytes here and in llama.cpp's grammar.
    /// </summary>
    public const int MaxSymbols = 2_000_000;

    private CompiledGrammar(List<GrammarSymbol[][]> rules, int root)
    {
        Rules = rules;
        Root = root;
        MinBytes = new long[rules.Count];
        ShortestAlternative = new int[rules.Count];
        ComputeShortest();
    }

    /// <summary>Rules by id; each is a list of alternatives, each a sequence of symbols.</summary>
    public IReadOnlyList<GrammarSymbol[][]> Rules { get; }

    /// <summary>The start rule.</summary>
    public int Root { get; }

    /// <summary>The fewest UTF-8 bytes each rule can produce (a large value when it cannot finish).</summary>
    public long[] MinBytes { get; }

    /// <summary>For each rule, the alternative that produces <see cref="MinBytes"/>.</summary>
    public int[] ShortestAlternative { get; }

    /// <summary>Whether the start rule can produce a finished text at all (a rule that always needs itself again cannot).</summary>
    public bool CanFinish => MinBytes[Root] < Unreachable;

    /// <summary>
    /// Whether a rule reachable from the start can reach itself before producing any text (<c>a ::= b "x"</c>,
    /// <c>b ::= a | "y"</c>). llama.cpp's grammar parser refuses such grammars ("left recursion detected").
    /// </summary>
    public bool HasLeftRecursion()
    {
        // Iterative depth-first search over "may start with" edges; a grey rule met again closes a cycle.
        var state = new byte[Rules.Count];
        var stack = new Stack<(int Rule, IEnumerator<int> Next)>();
        state[Root] = 1;
        stack.Push((Root, StartingRules(Root).GetEnumerator()));
        while (stack.Count > 0)
        {
            (int rule, IEnumerator<int> next) = stack.Peek();
            if (!next.MoveNext())
            {
                state[rule] = 2;
                stack.Pop();
                continue;
            }

            int target = next.Current;
            if (state[target] == 1)
            {
                return true;
            }

            if (state[target] == 0)
            {
                state[target] = 1;
                stack.Push((target, StartingRules(target).GetEnumerator()));
            }
        }

        return false;
    }

    // The rules an alternative of 'rule' may begin with: each leading reference up to the first symbol that always produces text.
    private IEnumerable<int> StartingRules(int rule)
    {
        foreach (GrammarSymbol[] alternative in Rules[rule])
        {
            foreach (GrammarSymbol symbol in alternative)
            {
                if (symbol.IsTerminal)
                {
                    break;
                }

                yield return symbol.RuleId;
                if (MinBytes[symbol.RuleId] > 0)
                {
                    break;
                }
            }
        }
    }

    /// <summary>Reads <paramref name="gbnf"/>, starting at <paramref name="rootRule"/>.</summary>
    /// <exception cref="FormatException">The text is not GBNF this reader understands, or expands to more than <see cref="MaxSymbols"/> symbols.</exception>
    public static CompiledGrammar Parse(string gbnf, string rootRule = "root")
    {
        ArgumentNullException.ThrowIfNull(gbnf);
        var parser = new Parser(gbnf);
        parser.ParseAll();
        if (!parser.RuleIds.TryGetValue(rootRule, out int root))
        {
            throw new FormatException($"The grammar has no rule '{rootRule}'.");
        }

        for (int id = 0; id < parser.Rules.Count; id++)
        {
            if (parser.Rules[id] is null)
            {
                throw new FormatException($"The grammar uses rule '{parser.RuleIds.First(p => p.Value == id).Key}' but never defines it.");
            }
        }

        return new CompiledGrammar([.. parser.Rules.Select(r => r!.Select(a => a.ToArray()).ToArray())], root);
    }

    /// <summary>The fewest bytes the symbols of <paramref name="alternative"/> from <paramref name="index"/> on can produce.</summary>
    public long MinBytesFrom(GrammarSymbol[] alternative, int index)
    {
        long sum = 0;
        for (int i = index; i < alternative.Length && sum < Unreachable; i++)
        {
            sum += alternative[i].IsTerminal ? alternative[i].CheapestBytes : MinBytes[alternative[i].RuleId];
        }

        return Math.Min(sum, Unreachable);
    }

    /// <summary>Appends the shortest text the symbols of <paramref name="alternative"/> from <paramref name="index"/> on produce.</summary>
    public void AppendShortest(GrammarSymbol[] alternative, int index, StringBuilder text)
    {
        for (int i = index; i < alternative.Length; i++)
        {
            GrammarSymbol symbol = alternative[i];
            if (symbol.IsTerminal)
            {
                text.Append(char.ConvertFromUtf32(symbol.Cheapest));
            }
            else
            {
                AppendShortest(Rules[symbol.RuleId][ShortestAlternative[symbol.RuleId]], 0, text);
            }
        }
    }

    private void ComputeShortest()
    {
        Array.Fill(MinBytes, Unreachable);
        bool changed = true;
        while (changed)
        {
            changed = false;
            for (int rule = 0; rule < Rules.Count; rule++)
            {
                for (int a = 0; a < Rules[rule].Length; a++)
                {
                    long cost = MinBytesFrom(Rules[rule][a], 0);
                    if (cost < MinBytes[rule])
                    {
                        MinBytes[rule] = cost;
                        ShortestAlternative[rule] = a;
                        changed = true;
                    }
                }
            }
        }
    }

    /// <summary>Reads GBNF text into rules; groups and repetitions become numbered helper rules.</summary>
    private sealed class Parser(string text)
    {
        private int _pos;
        private long _symbols;

        public Dictionary<string, int> RuleIds { get; } = new(StringComparer.Ordinal);

        public List<List<List<GrammarSymbol>>?> Rules { get; } = [];

        public void ParseAll()
        {
            SkipSpace(newlines: true);
            while (_pos < text.Length)
            {
                string name = ParseName();
                SkipSpace(newlines: false);
                if (string.CompareOrdinal(text, _pos, "::=", 0, 3) != 0)
                {
                    throw Error("'::='");
                }

                _pos += 3;
                int id = RuleId(name);
                if (Rules[id] is not null)
                {
                    throw new FormatException($"The grammar defines rule '{name}' twice.");
                }

                Rules[id] = ParseAlternatives(nested: false);
                SkipSpace(newlines: true);
            }
        }

        private List<List<GrammarSymbol>> ParseAlternatives(bool nested)
        {
            var alternatives = new List<List<GrammarSymbol>> { ParseSequence(nested) };
            while (Peek() == '|')
            {
                _pos++;
                SkipSpace(newlines: true);
                alternatives.Add(ParseSequence(nested));
            }

            return alternatives;
        }

        private List<GrammarSymbol> ParseSequence(bool nested)
        {
            var sequence = new List<GrammarSymbol>();
            int lastStart = 0;
            SkipSpace(nested);
            while (_pos < text.Length)
            {
                char c = text[_pos];
                if (c is not ('*' or '+' or '?' or '{'))
                {
                    lastStart = sequence.Count;
                }

                if (c == '"')
                {
                    _pos++;
                    while (Peek() != '"')
                    {
                        if (_pos >= text.Length)
                        {
                            throw Error("a closing '\"'");
                        }

                        int code = ReadChar();
                        sequence.Add(GrammarSymbol.Class([code, code], negated: false));
                    }

                    _pos++;
                }
                else if (c == '[')
                {
                    _pos++;
                    bool negated = Peek() == '^';
                    if (negated)
                    {
                        _pos++;
                    }

                    var ranges = new List<int>();
                    while (Peek() != ']')
                    {
                        if (_pos >= text.Length)
                        {
                            throw Error("a closing ']'");
                        }

                        int low = ReadChar();
                        int high = low;
                        if (Peek() == '-' && _pos + 1 < text.Length && text[_pos + 1] != ']')
                        {
                            _pos++;
                            high = ReadChar();
                        }

                        ranges.Add(low);
                        ranges.Add(high);
                    }

                    _pos++;
                    sequence.Add(GrammarSymbol.Class([.. ranges], negated));
                }
                else if (c == '.')
                {
                    _pos++;
                    sequence.Add(GrammarSymbol.Class([0, 0x10FFFF], negated: false));
                }
                else if (IsWordChar(c))
                {
                    sequence.Add(GrammarSymbol.Reference(RuleId(ParseName())));
                }
                else if (c == '(')
                {
                    _pos++;
                    SkipSpace(newlines: true);
                    List<List<GrammarSymbol>> inner = ParseAlternatives(nested: true);
                    if (Peek() != ')')
                    {
                        throw Error("')'");
                    }

                    _pos++;
                    sequence.Add(GrammarSymbol.Reference(NewRule(inner)));
                }
                else if (c is '*' or '+' or '?' or '{')
                {
                    if (sequence.Count == lastStart)
                    {
                        throw Error("something to repeat before '" + c + "'");
                    }

                    ApplyRepetition(sequence, lastStart);
                }
                else
                {
                    break;
                }

                SkipSpace(nested);
            }

            return sequence;
        }

        // Replaces the last item of 'sequence' (its symbols from 'start' on: a whole literal counts as one item) by its
        // repetition, as llama.cpp desugars it.
        private void ApplyRepetition(List<GrammarSymbol> sequence, int start)
        {
            char op = text[_pos++];
            int min;
            int max;
            switch (op)
            {
                case '*': (min, max) = (0, -1); break;
                case '+': (min, max) = (1, -1); break;
                case '?': (min, max) = (0, 1); break;
                default:
                    int close = text.IndexOf('}', _pos);
                    if (close < 0)
                    {
                        throw Error("'}'");
                    }

                    string[] parts = text[_pos..close].Split(',');
                    min = int.Parse(parts[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture);
                    max = parts.Length == 1 ? min : parts[1].Trim().Length == 0 ? -1 : int.Parse(parts[1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture);
                    _pos = close + 1;
                    break;
            }

            // Counted before anything is spelled out, so that a huge repetition fails fast instead of filling memory.
            _symbols += min + (2L * (max < 0 ? 1 : max - min));
            if (_symbols > MaxSymbols)
            {
                throw new FormatException($"The grammar expands to more than {MaxSymbols} symbols once its repetitions are spelled out.");
            }

            GrammarSymbol item = sequence.Count - start == 1 ? sequence[start] : GrammarSymbol.Reference(NewRule([sequence[start..]]));
            sequence.RemoveRange(start, sequence.Count - start);
            for (int i = 0; i < min; i++)
            {
                sequence.Add(item);
            }

            if (max < 0)
            {
                // item* : rest ::= item rest | ""
                int rest = NewRule(null);
                Rules[rest] = [[item, GrammarSymbol.Reference(rest)], []];
                sequence.Add(GrammarSymbol.Reference(rest));
                return;
            }

            // item{0,n} nests optionals so that every depth stays a tail call: opt(k) ::= item opt(k-1) | "".
            int? tail = null;
            for (int i = 0; i < max - min; i++)
            {
                List<GrammarSymbol> more = tail is { } t ? [item, GrammarSymbol.Reference(t)] : [item];
                tail = NewRule([more, []]);
            }

            if (tail is { } first)
            {
                sequence.Add(GrammarSymbol.Reference(first));
            }
        }

        private int ReadChar()
        {
            char c = text[_pos++];
            if (c != '\\')
            {
                if (char.IsHighSurrogate(c) && _pos < text.Length && char.IsLowSurrogate(text[_pos]))
                {
                    return char.ConvertToUtf32(c, text[_pos++]);
                }

                return c;
            }

            char e = text[_pos++];
            return e switch
            {
                'x' => Hex(2),
                'u' => Hex(4),
                'U' => Hex(8),
                't' => '\t',
                'r' => '\r',
                'n' => '\n',
                '\\' or '"' or '[' or ']' or '-' => e,
                _ => throw Error("a known escape after '\\'"),
            };
        }

        private int Hex(int digits)
        {
            if (_pos + digits > text.Length || !int.TryParse(text.AsSpan(_pos, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int value))
            {
                throw Error($"{digits} hexadecimal digits");
            }

            _pos += digits;
            return value;
        }

        private string ParseName()
        {
            int start = _pos;
            while (_pos < text.Length && IsWordChar(text[_pos]))
            {
                _pos++;
            }

            return _pos > start ? text[start.._pos] : throw Error("a rule name");
        }

        private int RuleId(string name)
        {
            if (!RuleIds.TryGetValue(name, out int id))
            {
                id = RuleIds[name] = NewRule(null);
            }

            return id;
        }

        private int NewRule(List<List<GrammarSymbol>>? body)
        {
            Rules.Add(body);
            return Rules.Count - 1;
        }

        private void SkipSpace(bool newlines)
        {
            while (_pos < text.Length)
            {
                char c = text[_pos];
                if (c == '#')
                {
                    while (_pos < text.Length && text[_pos] is not ('\n' or '\r'))
                    {
                        _pos++;
                    }
                }
                else if (c is ' ' or '\t' || (newlines && c is '\n' or '\r'))
                {
                    _pos++;
                }
                else
                {
                    return;
                }
            }
        }

        private char Peek() => _pos < text.Length ? text[_pos] : '\0';

        private static bool IsWordChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_';

        private FormatException Error(string expected) => new($"GBNF error at offset {_pos}: expected {expected}.");
    }
}
