using System.Globalization;
using System.Text;
using System.Text.Json;

namespace OffGrid.Inference.Templates.Jinja;

/// <summary>
/// JSON for templates: the <c>tojson</c> filter as Hugging Face defines it (Python's <c>json.dumps</c> with
/// <c>ensure_ascii=False</c>, <c>", "</c>/<c>": "</c> separators, keys in insertion order) and conversion of JSON
/// documents into template values.
/// </summary>
internal static class TemplateJson
{
    /// <summary>Serializes <paramref name="value"/> like <c>json.dumps(value, ensure_ascii, indent, separators, sort_keys)</c>.</summary>
    /// <param name="value">The template value.</param>
    /// <param name="indent">Spaces (a number) or a string per level; <see langword="null"/> for one line.</param>
    /// <param name="separators">Item and key separators; <see langword="null"/> for Python's defaults.</param>
    /// <param name="sortKeys">Whether object keys are sorted.</param>
    /// <param name="ensureAscii">Whether non-ASCII characters are escaped.</param>
    public static string Serialize(object? value, object? indent = null, (string Item, string Key)? separators = null, bool sortKeys = false, bool ensureAscii = false)
    {
        string? indentUnit = indent switch
        {
            null or Undefined => null,
            string s => s,
            _ => new string(' ', (int)ValueOperations.ToInteger(indent)),
        };
        var writer = new JsonTextWriter(
            indentUnit,
            separators ?? (indentUnit is null ? (", ", ": ") : (",", ": ")),
            sortKeys,
            ensureAscii);
        writer.Write(value, 0);
        return writer.ToString();
    }

    /// <summary>Parses JSON text into template values (the <c>from_json</c> filter).</summary>
    public static object? Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return FromElement(document.RootElement);
    }

    /// <summary>Converts a JSON element into template values: objects become dicts, arrays lists, integral numbers ints.</summary>
    public static object? FromElement(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var dict = new TemplateDict();
                foreach (var property in element.EnumerateObject())
                {
                    dict[property.Name] = FromElement(property.Value);
                }

                return dict;
            case JsonValueKind.Array:
                var list = new List<object?>(element.GetArrayLength());
                foreach (var item in element.EnumerateArray())
                {
                    list.Add(FromElement(item));
                }

                return list;
            case JsonValueKind.String:
                return element.GetString();
            case JsonValueKind.Number:
                return element.TryGetInt64(out long integer) && !element.GetRawText().AsSpan().ContainsAny('.', 'e', 'E')
                    ? integer
                    : (object)element.GetDouble();
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            default:
                return null;
        }
    }

    private sealed class JsonTextWriter(string? indentUnit, (string Item, string Key) separators, bool sortKeys, bool ensureAscii)
    {
        private readonly StringBuilder _output = new();

        public override string ToString() => _output.ToString();

        public void Write(object? value, int depth)
        {
            switch (value)
            {
                case null or Undefined:
                    _output.Append("null");
                    break;
                case bool b:
                    _output.Append(b ? "true" : "false");
                    break;
                case long l:
                    _output.Append(l.ToString(CultureInfo.InvariantCulture));
                    break;
                case double d:
                    _output.Append(double.IsNaN(d) ? "NaN" : double.IsInfinity(d) ? (d > 0 ? "Infinity" : "-Infinity") : ValueFormatter.FormatFloat(d));
                    break;
                case string s:
                    WriteString(s);
                    break;
                case IList<object?> list:
                    WriteContainer('[', ']', list.Count, depth, list, (item, level) => Write(item, level));
                    break;
                case TemplateDict dict:
                    WriteObject(dict, depth);
                    break;
                case TemplateNamespace ns:
                    WriteObject(ns.Attributes, depth);
                    break;
                default:
                    throw new TemplateEvaluationException($"Object of type {ValueFormatter.TypeName(value)} is not JSON serializable");
            }
        }

        private void WriteObject(TemplateDict dict, int depth)
        {
            IEnumerable<KeyValuePair<object, object?>> entries = dict;
            if (sortKeys)
            {
                entries = entries.OrderBy(pair => KeyText(pair.Key), StringComparer.Ordinal);
            }

            WriteContainer('{', '}', dict.Count, depth, entries, (pair, level) =>
            {
                WriteString(KeyText(pair.Key));
                _output.Append(separators.Key);
                Write(pair.Value, level);
            });
        }

        private void WriteContainer<T>(char open, char close, int count, int depth, IEnumerable<T> items, Action<T, int> writeItem)
        {
            _output.Append(open);
            if (count == 0)
            {
                _output.Append(close);
                return;
            }

            bool first = true;
            foreach (var item in items)
            {
                if (!first)
                {
                    _output.Append(separators.Item);
                }

                first = false;
                NewLine(depth + 1);
                writeItem(item, depth + 1);
            }

            NewLine(depth);
            _output.Append(close);
        }

        private void NewLine(int depth)
        {
            if (indentUnit is not null)
            {
                _output.Append('\n');
                for (int i = 0; i < depth; i++)
                {
                    _output.Append(indentUnit);
                }
            }
        }

        private static string KeyText(object key) => key switch
        {
            string s => s,
            bool b => b ? "true" : "false",
            long or double => ValueFormatter.ToStr(key),
            _ => throw new TemplateEvaluationException($"keys must be str, int, float or bool, not {ValueFormatter.TypeName(key)}"),
        };

        private void WriteString(string s)
        {
            _output.Append('"');
            foreach (char c in s)
            {
                switch (c)
                {
                    case '"': _output.Append("\\\""); break;
                    case '\\': _output.Append("\\\\"); break;
                    case '\n': _output.Append("\\n"); break;
                    case '\r': _output.Append("\\r"); break;
                    case '\t': _output.Append("\\t"); break;
                    case '\b': _output.Append("\\b"); break;
                    case '\f': _output.Append("\\f"); break;
                    case < ' ':
                    case > '\x7f' when ensureAscii:
                        _output.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                        break;
                    default: _output.Append(c); break;
                }
            }

            _output.Append('"');
        }
    }
}
