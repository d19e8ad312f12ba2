using System.Globalization;
using System.Text;

namespace OffGrid.Inference.Grammar;

/// <summary>
/// Translates the common subset of JSON Schema <c>pattern</c> regular expressions into a GBNF expression
/// for the content of a JSON string (between the quotes, with JSON escaping applied).
/// </summary>
/// <remarks>
/// Supported: literals, escaped metacharacters, <c>.</c>, <c>\d \w \s \D \W \S</c>, character classes with ranges
/// and negation, groups (<c>(...)</c>, <c>(?:...)</c>), alternation and the quantifiers <c>* + ? {n} {n,} {n,m}</c>
/// (lazy forms too). Unbounded quantifiers are capped so generation ends. An unanchored pattern is treated as
/// anchored: every string the grammar produces then matches, though not every matching string can be produced.
/// Back-references, look-arounds, word boundaries and Unicode categories are not supported: <see cref="TryTranslate"/>
/// returns <see langword="false"/> and the caller falls back to a plain string.
/// </remarks>
internal sealed class RegexPatternGrammar
{
    // Never produced by a negated class or '.': characters a JSON string cannot hold unescaped (controls, quote,
    // backslash), and characters outside the BMP, which a UTF-16 regex engine sees as two characters.
    private static readonly (int Low, int High)[] s_excludedFromNegated = [(0x00, 0x1F), ('"', '"'), ('\\', '\\'), (0x7F, 0x7F), (0x10000, 0x10FFFF)];
    private static readonly (int Low, int High)[] s_digit = [('0', '9')];
    private static readonly (int Low, int High)[] s_word = [('0', '9'), ('A', 'Z'), ('_', '_'), ('a', 'z')];
    private static readonly (int Low, int High)[] s_space = [('\t', '\n'), ('\r', '\r'), (' ', ' ')];

    private readonly string _pattern;
    private readonly int _maxRepetitions;
    private int _pos;

    private RegexPatternGrammar(string pattern, int maxRepetitions)
    {
        _pattern = pattern;
        _maxRepetitions = maxRepetitions;
    }

    /// <summary>Translates <paramref name="pattern"/>; unbounded repetitions are capped at <paramref name="maxRepetitions"/>.</summary>
    public static bool TryTranslate(string pattern, int maxRepetitions, out string expression)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        string body = pattern;
        if (body.StartsWith('^'))
        {
            body = body[1..];
        }

        if (body.EndsWith('$') && !body.EndsWith("\\$", StringComparison.Ordinal))
        {
            body = body[..^1];
        }

        var parser = new RegexPatternGrammar(body, maxRepetitions);
        try
        {
            expression = parser.ParseAlternation();
            if (parser._pos != body.Length)
            {
                throw new FormatException("Unbalanced ')'.");
            }

            return true;
        }
        catch (FormatException)
        {
            expression = string.Empty;
            return false;
        }
    }

    private string ParseAlternation()
    {
        var alternatives = new List<string> { ParseSequence() };
        while (Peek() == '|')
        {
            _pos++;
            alternatives.Add(ParseSequence());
        }

        return alternatives.Count == 1 ? alternatives[0] : "(" + string.Join(" | ", alternatives) + ")";
    }

    private string ParseSequence()
    {
        var items = new List<string>();
        while (_pos < _pattern.Length && Peek() is not ('|' or ')'))
        {
            string atom = ParseAtom();
            items.Add(ParseQuantifier(atom));
        }

        // An empty alternative matches the empty string.
        return items.Count == 0 ? "\"\"" : string.Join(" ", items);
    }

    private string ParseAtom()
    {
        char c = _pattern[_pos++];
        switch (c)
        {
            case '(':
                if (Peek() == '?')
                {
                    if (_pos + 1 < _pattern.Length && _pattern[_pos + 1] == ':')
                    {
                        _pos += 2;
                    }
                    else
                    {
                        throw new FormatException("Look-arounds and named groups are not supported.");
                    }
                }

                string inner = ParseAlternation();
                if (Peek() != ')')
                {
                    throw new FormatException("Missing ')'.");
                }

                _pos++;
                return "(" + inner + ")";
            case '[':
                return ParseClass();
            case '.':
                return ClassExpression([('\n', '\n')], negated: true);
            case '\\':
                return ParseEscape(inClass: false) is { } set ? ClassExpression(set.Ranges, set.Negated) : throw new FormatException("Bad escape.");
            case '^' or '$':
                throw new FormatException("Anchors inside a pattern are not supported.");
            case '*' or '+' or '?' or '{':
                throw new FormatException("Quantifier without an operand.");
            default:
                return ClassExpression([(c, c)], negated: false);
        }
    }

    private string ParseQuantifier(string atom)
    {
        if (_pos >= _pattern.Length)
        {
            return atom;
        }

        int min;
        int max;
        switch (_pattern[_pos])
        {
            case '*': (min, max) = (0, _maxRepetitions); _pos++; break;
            case '+': (min, max) = (1, _maxRepetitions); _pos++; break;
            case '?': (min, max) = (0, 1); _pos++; break;
            case '{':
                int close = _pattern.IndexOf('}', _pos);
                if (close < 0)
                {
                    throw new FormatException("Missing '}'.");
                }

                string[] parts = _pattern[(_pos + 1)..close].Split(',');
                min = ParseCount(parts[0]);
                max = parts.Length == 1 ? min
                    : parts.Length == 2 && parts[1].Length == 0 ? Math.Max(min, _maxRepetitions)
                    : parts.Length == 2 ? ParseCount(parts[1])
                    : throw new FormatException("Bad repetition.");
                _pos = close + 1;
                break;
            default:
                return atom;
        }

        if (Peek() == '?')
        {
            // A lazy quantifier matches the same set of whole strings as the greedy one.
            _pos++;
        }

        if (max < min)
        {
            throw new FormatException("Bad repetition bounds.");
        }

        return max == 0 ? "\"\"" : $"({atom}){{{min.ToString(CultureInfo.InvariantCulture)},{max.ToString(CultureInfo.InvariantCulture)}}}";
    }

    private static int ParseCount(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) ? value : throw new FormatException("Bad repetition count.");

    private string ParseClass()
    {
        bool negated = Peek() == '^';
        if (negated)
        {
            _pos++;
        }

        var ranges = new List<(int Low, int High)>();
        bool first = true;
        while (true)
        {
            if (_pos >= _pattern.Length)
            {
                throw new FormatException("Missing ']'.");
            }

            char c = _pattern[_pos++];
            if (c == ']' && !first)
            {
                break;
            }

            first = false;
            int low;
            if (c == '\\')
            {
                (IReadOnlyList<(int Low, int High)> Ranges, bool Negated) escape = ParseEscape(inClass: true) ?? throw new FormatException("Bad escape.");
                if (escape.Negated || escape.Ranges.Count != 1 || escape.Ranges[0].Low != escape.Ranges[0].High)
                {
                    // A shorthand class (\d, \W...) inside brackets.
                    ranges.AddRange(escape.Negated ? Complement(escape.Ranges) : escape.Ranges);
                    continue;
                }

                low = escape.Ranges[0].Low;
            }
            else
            {
                low = c;
            }

            if (Peek() == '-' && _pos + 1 < _pattern.Length && _pattern[_pos + 1] != ']')
            {
                _pos++;
                char highChar = _pattern[_pos++];
                int high = highChar == '\\' ? SingleChar(ParseEscape(inClass: true)) : highChar;
                if (high < low)
                {
                    throw new FormatException("Bad class range.");
                }

                ranges.Add((low, high));
            }
            else
            {
                ranges.Add((low, low));
            }
        }

        return ClassExpression(ranges, negated);
    }

    private static int SingleChar((IReadOnlyList<(int Low, int High)> Ranges, bool Negated)? escape) =>
        escape is { Negated: false, Ranges: [var only] } && only.Low == only.High ? only.Low : throw new FormatException("Bad class range.");

    // Reads the escape after a backslash: a set of characters, possibly negated.
    private (IReadOnlyList<(int Low, int High)> Ranges, bool Negated)? ParseEscape(bool inClass)
    {
        if (_pos >= _pattern.Length)
        {
            return null;
        }

        char c = _pattern[_pos++];
        switch (c)
        {
            case 'd': return (s_digit, false);
            case 'D': return (s_digit, true);
            case 'w': return (s_word, false);
            case 'W': return (s_word, true);
            case 's': return (s_space, false);
            case 'S': return (s_space, true);
            case 't': return ([('\t', '\t')], false);
            case 'n': return ([('\n', '\n')], false);
            case 'r': return ([('\r', '\r')], false);
            case 'u' when _pos + 4 <= _pattern.Length && int.TryParse(_pattern.AsSpan(_pos, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int code):
                _pos += 4;
                return ([(code, code)], false);
            case 'b' when inClass: return ([('\b', '\b')], false);
            default:
                if (char.IsAsciiLetterOrDigit(c))
                {
                    // Back-references, \b, \p{...} and friends.
                    return null;
                }

                return ([(c, c)], false);
        }
    }

    private static List<(int Low, int High)> Complement(IReadOnlyList<(int Low, int High)> ranges)
    {
        var result = new List<(int Low, int High)>();
        int next = 0;
        foreach ((int low, int high) in ranges.OrderBy(r => r.Low))
        {
            if (low > next)
            {
                result.Add((next, low - 1));
            }

            next = Math.Max(next, high + 1);
        }

        if (next <= 0x10FFFF)
        {
            result.Add((next, 0x10FFFF));
        }

        return result;
    }

    // Turns a character set into GBNF for its JSON-encoded form: plain characters in one class, characters
    // that JSON must escape as their escape sequences.
    private static string ClassExpression(IReadOnlyList<(int Low, int High)> ranges, bool negated)
    {
        if (negated)
        {
            var sbNegated = new StringBuilder("[^");
            foreach ((int low, int high) in ranges.Concat(s_excludedFromNegated))
            {
                AppendRange(sbNegated, low, high);
            }

            return sbNegated.Append(']').ToString();
        }

        var alternatives = new List<string>();
        var plain = new StringBuilder();
        foreach ((int low, int high) in ranges)
        {
            int start = low;
            for (int c = low; c <= high + 1; c++)
            {
                bool unsafeChar = c <= high && IsJsonUnsafe(c);
                if (c > high || unsafeChar)
                {
                    if (c > start)
                    {
                        AppendRange(plain, start, c - 1);
                    }

                    if (unsafeChar)
                    {
                        alternatives.Add(GbnfRuleSet.Literal(JsonEscape(c)));
                    }

                    start = c + 1;
                }

                if (c > 0x7F && c <= high)
                {
                    // Nothing above DEL needs escaping: close the remainder in one step.
                    AppendRange(plain, Math.Max(start, c), high);
                    break;
                }
            }
        }

        if (plain.Length > 0)
        {
            alternatives.Insert(0, "[" + plain + "]");
        }

        return alternatives.Count == 1 ? alternatives[0] : "(" + string.Join(" | ", alternatives.Distinct(StringComparer.Ordinal)) + ")";
    }

    private static bool IsJsonUnsafe(int c) => c is < 0x20 or '"' or '\\' or 0x7F;

    private static string JsonEscape(int c) => c switch
    {
        '"' => "\\\"",
        '\\' => "\\\\",
        '\n' => "\\n",
        '\r' => "\\r",
        '\t' => "\\t",
        '\b' => "\\b",
        '\f' => "\\f",
        _ => "\\u" + c.ToString("x4", CultureInfo.InvariantCulture),
    };

    private static void AppendRange(StringBuilder sb, int low, int high)
    {
        sb.Append(GbnfRuleSet.ClassChar(low));
        if (high != low)
        {
            sb.Append('-').Append(GbnfRuleSet.ClassChar(high));
        }
    }

    private char Peek() => _pos < _pattern.Length ? _pattern[_pos] : '\0';
}
