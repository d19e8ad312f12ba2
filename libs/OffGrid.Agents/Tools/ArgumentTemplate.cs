using System.Text;

namespace OffGrid.Agents.Tools;

/// <summary>
/// A text with <c>{name}</c> placeholders for a tool's arguments (<c>{{</c> and <c>}}</c> stand for literal braces). Rendering
/// only ever substitutes values; nothing in a value is interpreted.
/// </summary>
internal sealed class ArgumentTemplate
{
    private readonly List<(string? Literal, string? Placeholder)> _segments;

    private ArgumentTemplate(string text, List<(string?, string?)> segments)
    {
        Text = text;
        _segments = segments;
    }

    public string Text { get; }

    /// <summary>The argument names the template uses.</summary>
    public IEnumerable<string> Placeholders => _segments.Where(s => s.Placeholder is not null).Select(s => s.Placeholder!);

    /// <summary>Whether the template starts with a placeholder (so a value decides how the result begins).</summary>
    public bool StartsWithPlaceholder => _segments.Count > 0 && _segments[0].Placeholder is not null;

    /// <summary>The argument name when the template is exactly one placeholder.</summary>
    public string? SolePlaceholder => _segments is [(null, { } name)] ? name : null;

    /// <summary>Parses <paramref name="text"/>.</summary>
    /// <exception cref="ToolDefinitionException">An unclosed or empty placeholder, or a stray brace.</exception>
    public static ArgumentTemplate Parse(string text, string field)
    {
        var segments = new List<(string?, string?)>();
        var literal = new StringBuilder();
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if ((c == '{' || c == '}') && i + 1 < text.Length && text[i + 1] == c)
            {
                literal.Append(c);
                i++;
            }
            else if (c == '{')
            {
                int close = text.IndexOf('}', i + 1);
                string name = close < 0 ? string.Empty : text[(i + 1)..close];
                if (name.Length == 0 || !name.All(ch => char.IsAsciiLetterOrDigit(ch) || ch == '_'))
                {
                    throw new ToolDefinitionException($"'{text}' has an invalid placeholder at position {i}: write {{name}} with an argument's name, or {{{{ for a literal brace.", field);
                }

                if (literal.Length > 0)
                {
                    segments.Add((literal.ToString(), null));
                    literal.Clear();
                }

                segments.Add((null, name));
                i = close;
            }
            else if (c == '}')
            {
                throw new ToolDefinitionException($"'{text}' has a stray '}}' at position {i}; write }}}} for a literal brace.", field);
            }
            else
            {
                literal.Append(c);
            }
        }

        if (literal.Length > 0)
        {
            segments.Add((literal.ToString(), null));
        }

        return new ArgumentTemplate(text, segments);
    }

    /// <summary>Substitutes each placeholder with <paramref name="valueOf"/>'s value for it.</summary>
    public string Render(Func<string, string> valueOf)
    {
        var text = new StringBuilder();
        foreach ((string? literal, string? placeholder) in _segments)
        {
            text.Append(literal ?? valueOf(placeholder!));
        }

        return text.ToString();
    }
}
