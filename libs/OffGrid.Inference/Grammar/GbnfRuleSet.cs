using System.Globalization;
using System.Text;

namespace OffGrid.Inference.Grammar;

/// <summary>
/// Collects named GBNF rules while a grammar is being built. Rules with identical bodies share one
/// name, so a schema used in several places (a <c>$ref</c>, a tool's argument type) is emitted once.
/// Also knows how to write GBNF literals and character classes.
/// </summary>
internal sealed class GbnfRuleSet
{
    private readonly Dictionary<string, string?> _bodies = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _namesByBody = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    /// <summary>Adds a rule and returns its name: <paramref name="name"/>, a numbered variant of it, or the name of an existing rule with the same body.</summary>
    public string Add(string name, string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (_namesByBody.TryGetValue(body, out string? existing))
        {
            return existing;
        }

        string unique = Reserve(name);
        Define(unique, body);
        return unique;
    }

    /// <summary>Reserves a unique rule name before its body is known, which recursive schemas need.</summary>
    public string Reserve(string name)
    {
        string baseName = SanitizeName(name);
        string unique = baseName;
        for (int i = 1; _bodies.ContainsKey(unique); i++)
        {
            unique = baseName + "-" + i.ToString(CultureInfo.InvariantCulture);
        }

        _bodies[unique] = null;
        _order.Add(unique);
        return unique;
    }

    /// <summary>Sets the body of a rule reserved with <see cref="Reserve"/>.</summary>
    public void Define(string name, string body)
    {
        if (!_bodies.TryGetValue(name, out string? current) || current is not null)
        {
            throw new InvalidOperationException($"Rule '{name}' is not reserved or already defined.");
        }

        _bodies[name] = body;
        _namesByBody.TryAdd(body, name);
    }

    /// <summary>Renders the grammar with <paramref name="rootBody"/> as the body of the <c>root</c> rule.</summary>
    public GbnfGrammar Build(string rootBody)
    {
        var sb = new StringBuilder();
        sb.Append("root ::= ").Append(rootBody).Append('\n');
        foreach (string name in _order)
        {
            string body = _bodies[name] ?? throw new InvalidOperationException($"Rule '{name}' was reserved but never defined.");
            sb.Append(name).Append(" ::= ").Append(body).Append('\n');
        }

        return new GbnfGrammar(sb.ToString(), "root");
    }

    /// <summary>A GBNF string literal matching exactly <paramref name="text"/>.</summary>
    public static string Literal(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sb = new StringBuilder(text.Length + 2).Append('"');
        foreach (Rune rune in text.EnumerateRunes())
        {
            switch (rune.Value)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case < 0x20 or 0x7F: sb.Append(HexEscape(rune.Value)); break;
                default: sb.Append(rune.ToString()); break;
            }
        }

        return sb.Append('"').ToString();
    }

    /// <summary>A character for use inside a GBNF character class (<c>[...]</c>); anything but letters and digits is hex-escaped.</summary>
    public static string ClassChar(int codePoint) =>
        codePoint is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') ? ((char)codePoint).ToString() : HexEscape(codePoint);

    private static string HexEscape(int codePoint) => codePoint switch
    {
        <= 0xFF => "\\x" + codePoint.ToString("X2", CultureInfo.InvariantCulture),
        <= 0xFFFF => "\\u" + codePoint.ToString("X4", CultureInfo.InvariantCulture),
        _ => "\\U" + codePoint.ToString("X8", CultureInfo.InvariantCulture),
    };

    // GBNF rule names allow letters, digits and '-'.
    private static string SanitizeName(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (char c in name)
        {
            sb.Append(char.IsAsciiLetterOrDigit(c) ? c : '-');
        }

        string result = sb.ToString().Trim('-');
        return result.Length == 0 || result == "root" ? "r-" + result : result;
    }
}
