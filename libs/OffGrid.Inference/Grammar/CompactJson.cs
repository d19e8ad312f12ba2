using System.Globalization;
using System.Text;
using System.Text.Json;

namespace OffGrid.Inference.Grammar;

/// <summary>
/// Writes JSON values the way constrained output spells them: no whitespace, and every character as itself
/// (UTF-8 in the output) except those JSON must escape. System.Text.Json's encoders always escape characters
/// outside the Basic Multilingual Plane as surrogate pairs (<c>\ud83d\ude00</c>), so a constant such as
/// <c>"😀"</c> would otherwise come out escaped.
/// </summary>
internal static class CompactJson
{
    /// <summary>The compact text of <paramref name="value"/>; numbers keep their original spelling.</summary>
    public static string Write(JsonElement value)
    {
        var sb = new StringBuilder();
        Write(value, sb);
        return sb.ToString();
    }

    /// <summary><paramref name="text"/> as a JSON string, quotes included.</summary>
    public static string Quote(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sb = new StringBuilder(text.Length + 2);
        AppendString(text, sb);
        return sb.ToString();
    }

    private static void Write(JsonElement value, StringBuilder sb)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                sb.Append('{');
                bool firstProperty = true;
                foreach (JsonProperty property in value.EnumerateObject())
                {
                    sb.Append(firstProperty ? string.Empty : ",");
                    AppendString(property.Name, sb);
                    sb.Append(':');
                    Write(property.Value, sb);
                    firstProperty = false;
                }

                sb.Append('}');
                break;
            case JsonValueKind.Array:
                sb.Append('[');
                bool firstItem = true;
                foreach (JsonElement item in value.EnumerateArray())
                {
                    sb.Append(firstItem ? string.Empty : ",");
                    Write(item, sb);
                    firstItem = false;
                }

                sb.Append(']');
                break;
            case JsonValueKind.String:
                AppendString(value.GetString()!, sb);
                break;
            default:
                sb.Append(value.GetRawText());
                break;
        }
    }

    private static void AppendString(string text, StringBuilder sb)
    {
        sb.Append('"');
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;

                // Controls and DEL, which the grammar's string characters leave out.
                case < ' ' or '\x7F': AppendEscape(c, sb); break;
                case >= '\uD800' and <= '\uDBFF' when i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]): sb.Append(c).Append(text[++i]); break;

                // A lone surrogate is not a character: only its escape can stand for it.
                case >= '\uD800' and <= '\uDFFF': AppendEscape(c, sb); break;
                default: sb.Append(c); break;
            }
        }

        sb.Append('"');
    }

    private static void AppendEscape(char c, StringBuilder sb) => sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
}
