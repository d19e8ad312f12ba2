using System.Globalization;
using System.Text;

namespace OffGrid.Inference.Grammar;

/// <summary>
/// Translates JSON Schema <c>pattern</c> regular expressions (ECMA-262 with Unicode semantics, as JSON Schema
/// asks) into a GBNF expression for the content of a JSON string (between the quotes, with JSON escaping applied).
/// Works on Unicode scalar values throughout: a character outside the Basic Multilingual Plane is one character,
/// never two surrogate halves.
/// </summary>
/// <remarks>
/// Supported: literals, escapes (<c>\t \n \r \v \f \0 \cX \xHH \uHHHH \u{H…}</c>, surrogate pairs written as two
/// <c>\u</c> escapes, escaped metacharacters), <c>.</c>, <c>\d \w \s \D \W \S</c>, Unicode general categories
/// (<c>\p{Lu}</c>, <c>\p{Letter}</c>, <c>\P{…}</c>), character classes with ranges and negation, groups
/// (<c>(...)</c>, <c>(?:...)</c>, <c>(?&lt;name&gt;...)</c>), alternation, <c>^</c>/<c>$</c> around top-level
/// alternatives and the quantifiers <c>* + ? {n} {n,} {n,m}</c> (lazy forms too). Unbounded quantifiers are capped
/// so generation ends, and an unanchored pattern is treated as anchored: every string the grammar produces matches,
/// though not every matching string can be produced. Negated classes and <c>.</c> never produce characters JSON must
/// escape. Look-arounds, back-references, word boundaries, inline flags and Unicode scripts or binary properties
/// cannot be enforced: <see cref="Translate"/> throws <see cref="FormatException"/> naming the construct.
/// </remarks>
internal sealed class RegexPatternGrammar
{
    private const int MaxCodePoint = 0x10FFFF;

    // Never produced by a negated class or '.': characters a JSON string cannot hold unescaped (controls, quote,
    // backslash, DEL), and surrogates, which are not Unicode scalar values.
    private static readonly (int Low, int High)[] s_excludedFromNegated = [(0x00, 0x1F), ('"', '"'), ('\\', '\\'), (0x7F, 0x7F), (0xD800, 0xDFFF)];
    private static readonly (int Low, int High)[] s_lineTerminators = [('\n', '\n'), ('\r', '\r'), (0x2028, 0x2029)];
    private static readonly (int Low, int High)[] s_digit = [('0', '9')];
    private static readonly (int Low, int High)[] s_word = [('0', '9'), ('A', 'Z'), ('_', '_'), ('a', 'z')];

    // ECMA-262 WhiteSpace and LineTerminator.
    private static readonly (int Low, int High)[] s_space =
        [('\t', '\r'), (' ', ' '), (0xA0, 0xA0), (0x1680, 0x1680), (0x2000, 0x200A), (0x2028, 0x2029), (0x202F, 0x202F), (0x205F, 0x205F), (0x3000, 0x3000), (0xFEFF, 0xFEFF)];

    private readonly int[] _pattern;
    private readonly int _maxRepetitions;
    private readonly int _maxCount;
    private int _pos;
    private int _depth;
    private int _largestMinimum;

    private RegexPatternGrammar(int[] pattern, int maxRepetitions, int maxCount)
    {
        _pattern = pattern;
        _maxRepetitions = maxRepetitions;
        _maxCount = maxCount;
    }

    /// <summary>
    /// Translates <paramref name="pattern"/>; unbounded repetitions are capped at <paramref name="maxRepetitions"/>, and
    /// counts in <c>{n,m}</c> may not exceed <paramref name="maxCount"/> (a larger maximum is lowered to it).
    /// </summary>
    /// <returns>The GBNF expression, and the largest minimum count of a repetition in it (0 when none).</returns>
    /// <exception cref="FormatException">The pattern is malformed or uses a construct that cannot be enforced; the message names it.</exception>
    public static (string Expression, int LargestMinimum) Translate(string pattern, int maxRepetitions, int maxCount)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var codePoints = new List<int>(pattern.Length);
        for (int i = 0; i < pattern.Length; i++)
        {
            if (!Rune.TryGetRuneAt(pattern, i, out Rune rune))
            {
                throw new FormatException($"The pattern holds a lone UTF-16 surrogate at offset {i}, which is not a Unicode character.");
            }

            codePoints.Add(rune.Value);
            i += rune.Utf16SequenceLength - 1;
        }

        var parser = new RegexPatternGrammar([.. codePoints], maxRepetitions, maxCount);
        string expression = parser.ParseAlternation();
        if (parser._pos != parser._pattern.Length)
        {
            throw new FormatException("an unbalanced ')'");
        }

        return (expression, parser._largestMinimum);
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
        // Anchors are only understood where they anchor the whole pattern: the grammar matches whole strings anyway.
        if (_depth == 0 && Peek() == '^')
        {
            _pos++;
        }

        var items = new List<string>();
        while (_pos < _pattern.Length && Peek() is not ('|' or ')'))
        {
            if (_depth == 0 && Peek() == '$' && (_pos + 1 == _pattern.Length || _pattern[_pos + 1] == '|'))
            {
                _pos++;
                break;
            }

            string atom = ParseAtom();
            items.Add(ParseQuantifier(atom));
        }

        // An empty alternative matches the empty string.
        return items.Count == 0 ? "\"\"" : string.Join(" ", items);
    }

    private string ParseAtom()
    {
        int c = _pattern[_pos++];
        switch (c)
        {
            case '(':
                ParseGroupPrefix();
                _depth++;
                string inner = ParseAlternation();
                _depth--;
                if (Peek() != ')')
                {
                    throw new FormatException("a '(' without its ')'");
                }

                _pos++;
                return "(" + inner + ")";
            case '[':
                return ParseClass();
            case '.':
                return ClassExpression(s_lineTerminators, negated: true);
            case '\\':
                (IReadOnlyList<(int Low, int High)> ranges, bool negated) = ParseEscape(inClass: false);
                return ClassExpression(ranges, negated);
            case '^' or '$':
                throw new FormatException($"the anchor '{(char)c}' inside the pattern (only a leading '^' and a trailing '$' are understood)");
            case '*' or '+' or '?' or '{':
                throw new FormatException($"a quantifier '{(char)c}' with nothing to repeat");
            case ']' or '}':
                // Literal in legacy regular expressions, a syntax error with the Unicode flag that JSON Schema asks for.
                throw new FormatException($"a lone '{(char)c}' (escape it as '\\{(char)c}')");
            default:
                return ClassExpression([(c, c)], negated: false);
        }
    }

    // Reads what follows '(' up to the group's body: nothing, "?:" or a group name. Everything else is refused.
    private void ParseGroupPrefix()
    {
        if (Peek() != '?')
        {
            return;
        }

        int next = _pos + 1 < _pattern.Length ? _pattern[_pos + 1] : -1;
        int after = _pos + 2 < _pattern.Length ? _pattern[_pos + 2] : -1;
        switch (next)
        {
            case ':':
                _pos += 2;
                return;
            case '=' or '!':
                throw new FormatException($"a look-ahead '(?{(char)next}'");
            case '<' when after is '=' or '!':
                throw new FormatException($"a look-behind '(?<{(char)after}'");
            case '<':
                // A named group matches like any other group; the name only matters to back-references, which are refused.
                int close = Array.IndexOf(_pattern, '>', _pos + 2);
                if (close < 0)
                {
                    throw new FormatException("a group name without its closing '>'");
                }

                _pos = close + 1;
                return;
            default:
                throw new FormatException("an inline flag or other '(?' group");
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
                int close = Array.IndexOf(_pattern, '}', _pos);
                if (close < 0)
                {
                    throw new FormatException("a '{' without its '}'");
                }

                string[] parts = Text(_pos + 1, close).Split(',');
                min = ParseCount(parts[0]);
                max = parts.Length == 1 ? min
                    : parts.Length == 2 && parts[1].Length == 0 ? Math.Max(min, _maxRepetitions)
                    : parts.Length == 2 ? ParseCount(parts[1])
                    : throw new FormatException("a malformed repetition '{…}'");
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
            throw new FormatException($"a repetition whose maximum {max} is below its minimum {min}");
        }

        if (min > _maxCount)
        {
            throw new FormatException($"a repetition of at least {min}, more than the {_maxCount} OffGrid generates");
        }

        max = Math.Min(max, _maxCount);
        _largestMinimum = Math.Max(_largestMinimum, min);

        return max == 0 ? "\"\"" : $"({atom}){{{min.ToString(CultureInfo.InvariantCulture)},{max.ToString(CultureInfo.InvariantCulture)}}}";
    }

    private static int ParseCount(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) ? value : throw new FormatException($"a malformed repetition count '{text}'");

    private string ParseClass()
    {
        bool negated = Peek() == '^';
        if (negated)
        {
            _pos++;
        }

        var ranges = new List<(int Low, int High)>();
        while (true)
        {
            if (_pos >= _pattern.Length)
            {
                throw new FormatException("a '[' without its ']'");
            }

            int c = _pattern[_pos++];
            if (c == ']')
            {
                break;
            }

            int low;
            if (c == '\\')
            {
                (IReadOnlyList<(int Low, int High)> set, bool setNegated) = ParseEscape(inClass: true);
                if (setNegated || set is not [var single] || single.Low != single.High)
                {
                    // A class escape (\d, \W, \p{…}) inside brackets.
                    ranges.AddRange(setNegated ? Complement(set) : set);
                    continue;
                }

                low = single.Low;
            }
            else
            {
                low = c;
            }

            if (Peek() == '-' && _pos + 1 < _pattern.Length && _pattern[_pos + 1] != ']')
            {
                _pos++;
                int highChar = _pattern[_pos++];
                int high = highChar == '\\' ? SingleChar(ParseEscape(inClass: true)) : highChar;
                if (high < low)
                {
                    throw new FormatException($"the class range {Describe(low)}-{Describe(high)}, which runs backwards");
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

    private static int SingleChar((IReadOnlyList<(int Low, int High)> Ranges, bool Negated) escape) =>
        escape is { Negated: false, Ranges: [var only] } && only.Low == only.High ? only.Low : throw new FormatException("a class escape such as \\d used as the end of a range");

    // Reads the escape after a backslash: a set of characters, possibly negated.
    private (IReadOnlyList<(int Low, int High)> Ranges, bool Negated) ParseEscape(bool inClass)
    {
        if (_pos >= _pattern.Length)
        {
            throw new FormatException("a '\\' at the end of the pattern");
        }

        int c = _pattern[_pos++];
        switch (c)
        {
            case 'd': return (s_digit, false);
            case 'D': return (s_digit, true);
            case 'w': return (s_word, false);
            case 'W': return (s_word, true);
            case 's': return (s_space, false);
            case 'S': return (s_space, true);
            case 't': return Single('\t');
            case 'n': return Single('\n');
            case 'r': return Single('\r');
            case 'v': return Single('\v');
            case 'f': return Single('\f');
            case '0' when !IsDigit(Peek()): return Single(0);
            case 'b' when inClass: return Single('\b');
            case 'b' or 'B': throw new FormatException($"the word boundary '\\{(char)c}'");
            case >= '1' and <= '9': throw new FormatException($"the back-reference '\\{(char)c}'");
            case 'k': throw new FormatException("the named back-reference '\\k'");
            case 'c' when _pos < _pattern.Length && char.IsAsciiLetter((char)_pattern[_pos]):
                return Single(_pattern[_pos++] % 32);
            case 'x':
                return Single(ReadHex(2));
            case 'u':
                return Single(ReadUnicodeEscape());
            case 'p' or 'P':
                return (UnicodeProperties.Ranges(ReadPropertyName()), c == 'P');
            default:
                if (c < 0x80 && char.IsAsciiLetterOrDigit((char)c))
                {
                    throw new FormatException($"the escape '\\{(char)c}'");
                }

                // Identity escape of a metacharacter (or any other non-letter).
                return Single(c);
        }
    }

    private int ReadUnicodeEscape()
    {
        if (Peek() == '{')
        {
            int close = Array.IndexOf(_pattern, '}', _pos);
            if (close < 0 || !int.TryParse(Text(_pos + 1, close), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int value) || value > MaxCodePoint)
            {
                throw new FormatException("a malformed '\\u{…}' escape");
            }

            _pos = close + 1;
            return CheckScalar(value);
        }

        int unit = ReadHex(4);
        if (char.IsHighSurrogate((char)unit) && _pos + 6 <= _pattern.Length && _pattern[_pos] == '\\' && _pattern[_pos + 1] == 'u')
        {
            // A surrogate pair written as two escapes is one character.
            int save = _pos;
            _pos += 2;
            int low = ReadHex(4);
            if (char.IsLowSurrogate((char)low))
            {
                return char.ConvertToUtf32((char)unit, (char)low);
            }

            _pos = save;
        }

        return CheckScalar(unit);
    }

    private static int CheckScalar(int value) =>
        Rune.IsValid(value) ? value : throw new FormatException($"the lone surrogate escape U+{value:X4}, which is not a Unicode character");

    private int ReadHex(int digits)
    {
        if (_pos + digits > _pattern.Length || !int.TryParse(Text(_pos, _pos + digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int value))
        {
            throw new FormatException($"a hexadecimal escape without its {digits} digits");
        }

        _pos += digits;
        return value;
    }

    private string ReadPropertyName()
    {
        int close = Peek() == '{' ? Array.IndexOf(_pattern, '}', _pos) : -1;
        if (close < 0)
        {
            throw new FormatException("a '\\p' without '{name}'");
        }

        string name = Text(_pos + 1, close);
        _pos = close + 1;
        return name;
    }

    private static (IReadOnlyList<(int Low, int High)>, bool) Single(int c) => ([(c, c)], false);

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

        if (next <= MaxCodePoint)
        {
            result.Add((next, MaxCodePoint));
        }

        return result;
    }

    // Turns a character set into GBNF for its JSON-encoded form: plain characters in one class, characters
    // that JSON must escape as their escape sequences. Surrogates are left out: they are not characters.
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
        foreach ((int low, int high) in WithoutSurrogates(ranges))
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

        return alternatives.Count switch
        {
            0 => throw new FormatException("a character class that matches no character"),
            1 => alternatives[0],
            _ => "(" + string.Join(" | ", alternatives.Distinct(StringComparer.Ordinal)) + ")",
        };
    }

    private static IEnumerable<(int Low, int High)> WithoutSurrogates(IReadOnlyList<(int Low, int High)> ranges)
    {
        foreach ((int low, int high) in ranges)
        {
            if (high < 0xD800 || low > 0xDFFF)
            {
                yield return (low, high);
                continue;
            }

            if (low < 0xD800)
            {
                yield return (low, 0xD7FF);
            }

            if (high > 0xDFFF)
            {
                yield return (0xE000, high);
            }
        }
    }

    private static bool IsJsonUnsafe(int c) => c is < 0x20 or '"' or '\\' or 0x7F;

    private static string JsonEscape(int c) => CompactJson.Quote(char.ConvertFromUtf32(c))[1..^1];

    private static void AppendRange(StringBuilder sb, int low, int high)
    {
        sb.Append(GbnfRuleSet.ClassChar(low));
        if (high != low)
        {
            sb.Append('-').Append(GbnfRuleSet.ClassChar(high));
        }
    }

    private static bool IsDigit(int c) => c is >= '0' and <= '9';

    private static string Describe(int c) => c is >= 0x21 and < 0x7F ? ((char)c).ToString() : $"U+{c:X4}";

    private string Text(int from, int to)
    {
        var sb = new StringBuilder(to - from);
        for (int i = from; i < to; i++)
        {
            sb.Append(char.ConvertFromUtf32(_pattern[i]));
        }

        return sb.ToString();
    }

    private int Peek() => _pos < _pattern.Length ? _pattern[_pos] : -1;
}
