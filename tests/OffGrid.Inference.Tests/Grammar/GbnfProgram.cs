using System.Globalization;
using System.Text;

namespace OffGrid.Inference.Tests.Grammar;

/// <summary>
/// A test-only reading of llama.cpp's GBNF notation, desugared the way llama.cpp does it: groups and
/// repetitions become helper rules, so that every rule is a list of alternatives of terminals and rule
/// references. <see cref="GbnfRecognizer"/> and <see cref="GbnfSampler"/> run on it.
/// </summary>
internal sealed class GbnfProgram
{
    private readonly Dictionary<string, int> _ruleIds = new(StringComparer.Ordinal);
    private readonly List<string> _ruleNames = [];
    private readonly HashSet<int> _defined = [];
    private string _text = string.Empty;
    private int _pos;

    private GbnfProgram()
    {
    }

    /// <summary>Rules by id; each alternative is a sequence of symbols.</summary>
    public List<List<GbnfSymbol[]>> Rules { get; } = [];

    public int RootRule { get; private set; }

    /// <summary>How many <c>*</c>, <c>+</c> or <c>{m,}</c> repetitions the grammar has: each lets a model go on forever.</summary>
    public int UnboundedRepetitions { get; private set; }

    public static GbnfProgram Parse(string text, string root = "root")
    {
        var program = new GbnfProgram { _text = text };
        program.ParseAll();
        if (!program._ruleIds.TryGetValue(root, out int rootId))
        {
            throw new FormatException($"No rule '{root}'.");
        }

        foreach ((string name, int id) in program._ruleIds)
        {
            if (!program._defined.Contains(id))
            {
                throw new FormatException($"Rule '{name}' is referenced but not defined.");
            }
        }

        program.RootRule = rootId;
        return program;
    }

    private void ParseAll()
    {
        SkipSpace(newlines: true);
        while (_pos < _text.Length)
        {
            string name = ParseName();
            SkipSpace(newlines: false);
            Expect("::=");
            int id = RuleId(name);
            if (!_defined.Add(id))
            {
                throw new FormatException($"Rule '{name}' is defined twice.");
            }

            Rules[id] = ParseAlternatives(nested: false);
            SkipSpace(newlines: true);
        }
    }

    private List<GbnfSymbol[]> ParseAlternatives(bool nested)
    {
        var alternatives = new List<GbnfSymbol[]> { ParseSequence(nested) };
        while (Peek() == '|')
        {
            _pos++;
            alternatives.Add(ParseSequence(nested));
        }

        return alternatives;
    }

    private GbnfSymbol[] ParseSequence(bool nested)
    {
        var symbols = new List<GbnfSymbol>();
        while (true)
        {
            SkipSpace(newlines: nested);
            char c = Peek();
            if (c is '\0' or '|' or ')' || (c == '\n' && !nested))
            {
                return [.. symbols];
            }

            int start = symbols.Count;
            if (c == '"')
            {
                _pos++;
                while (Peek() != '"')
                {
                    int cp = ParseChar();
                    symbols.Add(GbnfSymbol.Terminal([(cp, cp)], negated: false));
                }

                _pos++;
            }
            else if (c == '[')
            {
                symbols.Add(ParseClass());
            }
            else if (c == '.')
            {
                _pos++;
                symbols.Add(GbnfSymbol.Terminal([], negated: true));
            }
            else if (c == '(')
            {
                _pos++;
                List<GbnfSymbol[]> inner = ParseAlternatives(nested: true);
                SkipSpace(newlines: true);
                Expect(")");
                symbols.Add(GbnfSymbol.Rule(NewRule(inner)));
            }
            else if (IsNameChar(c))
            {
                symbols.Add(GbnfSymbol.Rule(RuleId(ParseName())));
            }
            else
            {
                throw new FormatException($"Unexpected '{c}' at {_pos}: {Context()}");
            }

            ParseQuantifiers(symbols, start);
        }
    }

    private void ParseQuantifiers(List<GbnfSymbol> symbols, int start)
    {
        while (Peek() is '*' or '+' or '?' or '{')
        {
            // A quantifier applies to the last element: a whole literal, a class, a group or a rule reference (as in llama.cpp).
            if (symbols.Count == start)
            {
                throw new FormatException("Quantifier without an operand at " + _pos);
            }

            GbnfSymbol item = symbols.Count - start == 1 ? symbols[start] : GbnfSymbol.Rule(NewRule([[.. symbols.Skip(start)]]));
            symbols.RemoveRange(start, symbols.Count - start);
            int min;
            int? max;
            char q = _text[_pos++];
            switch (q)
            {
                case '*': (min, max) = (0, null); break;
                case '+': (min, max) = (1, null); break;
                case '?': (min, max) = (0, 1); break;
                default:
                    int close = _text.IndexOf('}', _pos);
                    string[] parts = _text[_pos..close].Split(',');
                    min = int.Parse(parts[0].Trim(), CultureInfo.InvariantCulture);
                    max = parts.Length == 1 ? min : parts[1].Trim().Length == 0 ? null : int.Parse(parts[1].Trim(), CultureInfo.InvariantCulture);
                    _pos = close + 1;
                    break;
            }

            for (int i = 0; i < min; i++)
            {
                symbols.Add(item);
            }

            if (max is null)
            {
                // R ::= item R | ε
                UnboundedRepetitions++;
                int star = NewRule([]);
                Rules[star].Add([item, GbnfSymbol.Rule(star)]);
                Rules[star].Add([]);
                symbols.Add(GbnfSymbol.Rule(star));
            }
            else if (max > min)
            {
                // R1 ::= item | ε ; Rk ::= item R(k-1) | ε
                int previous = -1;
                for (int k = 0; k < max - min; k++)
                {
                    GbnfSymbol[] body = previous < 0 ? [item] : [item, GbnfSymbol.Rule(previous)];
                    previous = NewRule([body, []]);
                }

                symbols.Add(GbnfSymbol.Rule(previous));
            }
        }
    }

    private GbnfSymbol ParseClass()
    {
        _pos++;
        bool negated = Peek() == '^';
        if (negated)
        {
            _pos++;
        }

        var ranges = new List<(int, int)>();
        while (Peek() != ']')
        {
            int low = ParseChar();
            int high = low;
            if (Peek() == '-' && _text[_pos + 1] != ']')
            {
                _pos++;
                high = ParseChar();
            }

            ranges.Add((low, high));
        }

        _pos++;
        return GbnfSymbol.Terminal(ranges, negated);
    }

    private int ParseChar()
    {
        if (_pos >= _text.Length)
        {
            throw new FormatException("Unexpected end of grammar.");
        }

        if (_text[_pos] != '\\')
        {
            int cp = char.ConvertToUtf32(_text, _pos);
            _pos += char.IsSurrogatePair(_text, _pos) ? 2 : 1;
            return cp;
        }

        char e = _text[_pos + 1];
        _pos += 2;
        int Hex(int digits)
        {
            int value = int.Parse(_text.AsSpan(_pos, digits), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            _pos += digits;
            return value;
        }

        return e switch
        {
            'x' => Hex(2),
            'u' => Hex(4),
            'U' => Hex(8),
            't' => '\t',
            'r' => '\r',
            'n' => '\n',
            '\\' or '"' or '[' or ']' or '-' => e,
            _ => throw new FormatException($"Unknown escape '\\{e}' (llama.cpp rejects it) at {_pos}: {Context()}"),
        };
    }

    private int NewRule(List<GbnfSymbol[]> alternatives)
    {
        int id = RuleId("__generated" + _ruleNames.Count.ToString(CultureInfo.InvariantCulture));
        _defined.Add(id);
        Rules[id] = alternatives;
        return id;
    }

    private int RuleId(string name)
    {
        if (!_ruleIds.TryGetValue(name, out int id))
        {
            id = _ruleNames.Count;
            _ruleIds[name] = id;
            _ruleNames.Add(name);
            Rules.Add([]);
        }

        return id;
    }

    private string ParseName()
    {
        int start = _pos;
        while (IsNameChar(Peek()))
        {
            _pos++;
        }

        return start == _pos ? throw new FormatException($"Rule name expected at {_pos}: {Context()}") : _text[start.._pos];
    }

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '-';

    private void Expect(string token)
    {
        if (string.CompareOrdinal(_text, _pos, token, 0, token.Length) != 0)
        {
            throw new FormatException($"'{token}' expected at {_pos}: {Context()}");
        }

        _pos += token.Length;
    }

    private void SkipSpace(bool newlines)
    {
        while (_pos < _text.Length)
        {
            char c = _text[_pos];
            if (c == '#')
            {
                while (_pos < _text.Length && _text[_pos] != '\n')
                {
                    _pos++;
                }
            }
            else if (c is ' ' or '\t' or '\r' || (newlines && c == '\n'))
            {
                _pos++;
            }
            else
            {
                return;
            }
        }
    }

    private char Peek() => _pos < _text.Length ? _text[_pos] : '\0';

    private string Context() => _text.Substring(Math.Max(0, _pos - 30), Math.Min(60, _text.Length - Math.Max(0, _pos - 30)));
}

/// <summary>A terminal (a set of code points) or a reference to a rule.</summary>
internal sealed class GbnfSymbol
{
    private GbnfSymbol(int ruleId, (int Low, int High)[] ranges, bool negated)
    {
        RuleId = ruleId;
        Ranges = ranges;
        Negated = negated;
    }

    /// <summary>The referenced rule, or -1 for a terminal.</summary>
    public int RuleId { get; }

    public (int Low, int High)[] Ranges { get; }

    public bool Negated { get; }

    public bool IsTerminal => RuleId < 0;

    public static GbnfSymbol Terminal(IEnumerable<(int Low, int High)> ranges, bool negated) => new(-1, [.. ranges], negated);

    public static GbnfSymbol Rule(int id) => new(id, [], false);

    public bool Matches(int codePoint) => Ranges.Any(r => codePoint >= r.Low && codePoint <= r.High) != Negated;

    public override string ToString() => IsTerminal
        ? (Negated ? "[^" : "[") + string.Concat(Ranges.Select(r => new Rune(r.Low) + (r.High != r.Low ? "-" + new Rune(r.High) : string.Empty))) + "]"
        : "#" + RuleId;
}
