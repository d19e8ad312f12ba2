using System.Globalization;
using System.Text;

namespace OffGrid.Inference.Templates.Jinja;

/// <summary>
/// Splits template source into tokens with Jinja2's whitespace rules as Hugging Face applies them:
/// <c>trim_blocks</c> and <c>lstrip_blocks</c> on, <c>-</c>/<c>+</c> modifiers on tags, one trailing newline dropped,
/// <c>{% raw %}</c> sections emitted as plain text.
/// </summary>
internal sealed class TemplateLexer
{
    private static readonly string[] s_operators =
    [
        "**", "//", "==", "!=", "<=", ">=",
        "+", "-", "*", "/", "%", "~", "<", ">", "=", "(", ")", "[", "]", "{", "}", ",", ".", ":", "|",
    ];

    private readonly string _source;
    private readonly List<Token> _tokens = [];
    private int _position;
    private int _line = 1;

    private TemplateLexer(string source)
    {
        // Jinja normalises newlines and, with keep_trailing_newline off, drops one final newline.
        source = source.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        _source = source.EndsWith('\n') ? source[..^1] : source;
    }

    /// <summary>Tokenizes <paramref name="source"/>; the last token is always <see cref="TokenKind.End"/>.</summary>
    /// <exception cref="ChatTemplateException">The source is not lexically valid.</exception>
    public static List<Token> Tokenize(string source)
    {
        var lexer = new TemplateLexer(source);
        lexer.Run();
        return lexer._tokens;
    }

    private void Run()
    {
        bool stripNextText = false;
        while (_position < _source.Length)
        {
            int tagStart = FindTagStart(_position);
            int textEnd = tagStart < 0 ? _source.Length : tagStart;
            char tagKind = tagStart < 0 ? '\0' : _source[tagStart + 1];
            char openModifier = tagStart >= 0 && tagStart + 2 < _source.Length ? _source[tagStart + 2] : '\0';

            string text = _source[_position..textEnd];
            if (stripNextText)
            {
                text = text.TrimStart();
            }

            if (tagStart >= 0)
            {
                if (openModifier == '-')
                {
                    text = text.TrimEnd();
                }
                else if (openModifier != '+' && tagKind != '{' && StartsLine(tagStart))
                {
                    // lstrip_blocks: a block or comment tag that starts a line takes its indentation with it.
                    text = text.TrimEnd(' ', '\t');
                }
            }

            AddText(text, _source, _position, textEnd);
            if (tagStart < 0)
            {
                break;
            }

            _position = tagStart + 2 + (openModifier is '-' or '+' ? 1 : 0);
            stripNextText = tagKind switch
            {
                '#' => SkipComment(),
                '%' => LexTag(TokenKind.BlockBegin, TokenKind.BlockEnd, "%}"),
                _ => LexTag(TokenKind.VariableBegin, TokenKind.VariableEnd, "}}"),
            };
        }

        _tokens.Add(new Token(TokenKind.End, string.Empty, _line));
    }

    private void AddText(string text, string source, int from, int to)
    {
        if (text.Length > 0)
        {
            _tokens.Add(new Token(TokenKind.Text, text, _line));
        }

        _line += CountNewlines(source, from, to);
    }

    private int FindTagStart(int from)
    {
        for (int i = _source.IndexOf('{', from); i >= 0 && i + 1 < _source.Length; i = _source.IndexOf('{', i + 1))
        {
            if (_source[i + 1] is '{' or '%' or '#')
            {
                return i;
            }
        }

        return -1;
    }

    private bool StartsLine(int tagStart)
    {
        for (int i = tagStart - 1; i >= 0; i--)
        {
            char c = _source[i];
            if (c == '\n')
            {
                return true;
            }

            if (c is not (' ' or '\t'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Skips a comment; returns whether whitespace after it must be stripped.</summary>
    private bool SkipComment()
    {
        int end = _source.IndexOf("#}", _position, StringComparison.Ordinal);
        if (end < 0)
        {
            throw new ChatTemplateException("Missing end of comment tag '#}'.", _line);
        }

        _line += CountNewlines(_source, _position, end);
        bool strip = end > _position && _source[end - 1] == '-';
        bool keep = end > _position && _source[end - 1] == '+';
        _position = end + 2;
        return ApplyCloseModifier(strip, keep);
    }

    /// <summary>Lexes the inside of a statement or output tag; returns whether following whitespace must be stripped.</summary>
    private bool LexTag(TokenKind begin, TokenKind end, string close)
    {
        int beginIndex = _tokens.Count;
        _tokens.Add(new Token(begin, close, _line));
        int braceDepth = 0;
        while (true)
        {
            SkipWhitespace();
            if (_position >= _source.Length)
            {
                throw new ChatTemplateException($"Unexpected end of template: missing '{close}'.", _line);
            }

            if (braceDepth == 0 && TryCloseTag(close, out bool strip, out bool keep))
            {
                _tokens.Add(new Token(end, close, _line));
                if (begin == TokenKind.BlockBegin && IsRawTag(beginIndex))
                {
                    _tokens.RemoveRange(beginIndex, _tokens.Count - beginIndex);
                    return LexRawBody(ApplyCloseModifier(strip, keep));
                }

                return begin == TokenKind.BlockBegin ? ApplyCloseModifier(strip, keep) : strip;
            }

            char c = _source[_position];
            if (c is '"' or '\'')
            {
                _tokens.Add(new Token(TokenKind.String, ReadString(c), _line));
            }
            else if (char.IsAsciiDigit(c))
            {
                _tokens.Add(ReadNumber());
            }
            else if (char.IsLetter(c) || c == '_')
            {
                int start = _position;
                while (_position < _source.Length && (char.IsLetterOrDigit(_source[_position]) || _source[_position] == '_'))
                {
                    _position++;
                }

                _tokens.Add(new Token(TokenKind.Name, _source[start.._position], _line));
            }
            else
            {
                string sign = ReadOperator();
                braceDepth += sign switch { "{" => 1, "}" => -1, _ => 0 };
                _tokens.Add(new Token(TokenKind.Operator, sign, _line));
            }
        }
    }

    private bool TryCloseTag(string close, out bool strip, out bool keep)
    {
        strip = keep = false;
        char first = _source[_position];
        if (first is '-' or '+' && string.CompareOrdinal(_source, _position + 1, close, 0, 2) == 0)
        {
            strip = first == '-';
            keep = first == '+';
            _position += 3;
            return true;
        }

        if (string.CompareOrdinal(_source, _position, close, 0, 2) == 0)
        {
            _position += 2;
            return true;
        }

        return false;
    }

    /// <summary>trim_blocks: a block or comment tag swallows the newline right after it, unless it says <c>+</c>.</summary>
    private bool ApplyCloseModifier(bool strip, bool keep)
    {
        if (!strip && !keep && _position < _source.Length && _source[_position] == '\n')
        {
            _position++;
            _line++;
        }

        return strip;
    }

    private bool IsRawTag(int beginIndex) =>
        _tokens.Count - beginIndex == 3 && _tokens[beginIndex + 1].IsName("raw");

    /// <summary>Emits everything up to <c>{% endraw %}</c> as text; returns whether whitespace after it must be stripped.</summary>
    private bool LexRawBody(bool stripLeading)
    {
        int search = _position;
        while (true)
        {
            int open = _source.IndexOf("{%", search, StringComparison.Ordinal);
            if (open < 0)
            {
                throw new ChatTemplateException("Missing '{% endraw %}'.", _line);
            }

            int cursor = open + 2;
            bool stripBefore = cursor < _source.Length && _source[cursor] == '-';
            if (cursor < _source.Length && _source[cursor] is '-' or '+')
            {
                cursor++;
            }

            while (cursor < _source.Length && char.IsWhiteSpace(_source[cursor]))
            {
                cursor++;
            }

            if (string.CompareOrdinal(_source, cursor, "endraw", 0, 6) != 0)
            {
                search = open + 2;
                continue;
            }

            cursor += 6;
            while (cursor < _source.Length && char.IsWhiteSpace(_source[cursor]))
            {
                cursor++;
            }

            string text = _source[_position..open];
            text = stripLeading ? text.TrimStart() : text;
            text = stripBefore ? text.TrimEnd() : text;
            AddText(text, _source, _position, open);
            _position = cursor;
            if (!TryCloseTag("%}", out bool strip, out bool keep))
            {
                throw new ChatTemplateException("Malformed '{% endraw %}' tag.", _line);
            }

            return ApplyCloseModifier(strip, keep);
        }
    }

    private void SkipWhitespace()
    {
        while (_position < _source.Length && char.IsWhiteSpace(_source[_position]))
        {
            if (_source[_position] == '\n')
            {
                _line++;
            }

            _position++;
        }
    }

    private string ReadOperator()
    {
        foreach (string sign in s_operators)
        {
            if (string.CompareOrdinal(_source, _position, sign, 0, sign.Length) == 0)
            {
                _position += sign.Length;
                return sign;
            }
        }

        throw new ChatTemplateException($"Unexpected character '{_source[_position]}'.", _line);
    }

    private Token ReadNumber()
    {
        int start = _position;
        ConsumeDigits();
        bool afterDot = _tokens.Count > 0 && _tokens[^1].IsOperator(".");
        bool isFloat = false;
        if (!afterDot && _position + 1 < _source.Length && _source[_position] == '.' && char.IsAsciiDigit(_source[_position + 1]))
        {
            isFloat = true;
            _position++;
            ConsumeDigits();
        }

        if (!afterDot && _position < _source.Length && _source[_position] is 'e' or 'E')
        {
            int mark = _position++;
            if (_position < _source.Length && _source[_position] is '+' or '-')
            {
                _position++;
            }

            if (_position < _source.Length && char.IsAsciiDigit(_source[_position]))
            {
                isFloat = true;
                ConsumeDigits();
            }
            else
            {
                _position = mark;
            }
        }

        string digits = _source[start.._position].Replace("_", string.Empty, StringComparison.Ordinal);
        return new Token(isFloat ? TokenKind.Float : TokenKind.Integer, digits, _line);
    }

    private void ConsumeDigits()
    {
        while (_position < _source.Length && (char.IsAsciiDigit(_source[_position]) || _source[_position] == '_'))
        {
            _position++;
        }
    }

    /// <summary>Reads a quoted literal with Python's escapes; unknown escapes keep their backslash, as in Python.</summary>
    private string ReadString(char quote)
    {
        int startLine = _line;
        var value = new StringBuilder();
        _position++;
        while (true)
        {
            if (_position >= _source.Length)
            {
                throw new ChatTemplateException("Unterminated string literal.", startLine);
            }

            char c = _source[_position++];
            if (c == quote)
            {
                return value.ToString();
            }

            if (c == '\n')
            {
                _line++;
            }

            if (c != '\\' || _position >= _source.Length)
            {
                value.Append(c);
                continue;
            }

            char escaped = _source[_position++];
            switch (escaped)
            {
                case 'n': value.Append('\n'); break;
                case 't': value.Append('\t'); break;
                case 'r': value.Append('\r'); break;
                case 'b': value.Append('\b'); break;
                case 'f': value.Append('\f'); break;
                case 'v': value.Append('\v'); break;
                case 'a': value.Append('\a'); break;
                case '0': value.Append('\0'); break;
                case '\\' or '\'' or '"': value.Append(escaped); break;
                case '\n': _line++; break;
                case 'x': value.Append(ReadHexEscape(2)); break;
                case 'u': value.Append(ReadHexEscape(4)); break;
                case 'U': value.Append(ReadHexEscape(8)); break;
                default: value.Append('\\').Append(escaped); break;
            }
        }
    }

    private string ReadHexEscape(int length)
    {
        if (_position + length > _source.Length
            || !int.TryParse(_source.AsSpan(_position, length), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int code))
        {
            throw new ChatTemplateException("Invalid hexadecimal escape in string literal.", _line);
        }

        _position += length;
        return char.ConvertFromUtf32(code);
    }

    private static int CountNewlines(string text, int from, int to) => text.AsSpan(from, to - from).Count('\n');
}
