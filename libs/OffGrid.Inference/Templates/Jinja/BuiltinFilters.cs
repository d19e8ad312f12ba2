using System.Collections.Frozen;
using System.Globalization;
using System.Text.RegularExpressions;

namespace OffGrid.Inference.Templates.Jinja;

/// <summary>Jinja's built-in filters as chat templates use them, plus Hugging Face's <c>tojson</c> and llama.cpp's <c>from_json</c>.</summary>
internal static partial class BuiltinFilters
{
    private static readonly FrozenDictionary<string, FilterFunction> s_filters = new Dictionary<string, FilterFunction>(StringComparer.Ordinal)
    {
        ["abs"] = (value, _) => value is double d ? Math.Abs(d) : (object)Math.Abs(ValueOperations.ToInteger(value)),
        ["attr"] = (value, arguments) => MemberAccess.GetAttribute(value, arguments.GetString(0, "name") ?? string.Empty),
        ["batch"] = Batch,
        ["capitalize"] = (value, _) => StringMethods.Capitalize(ValueFormatter.ToStr(value)),
        ["center"] = Center,
        ["count"] = (value, _) => ValueOperations.Length(value),
        ["default"] = Default,
        ["d"] = Default,
        ["dictsort"] = DictSort,
        ["escape"] = (value, _) => Escape(value),
        ["e"] = (value, _) => Escape(value),
        ["first"] = (value, _) => ValueOperations.Iterate(value) is { Count: > 0 } items ? items[0] : Undefined.Instance,
        ["float"] = ToFloat,
        ["format"] = (value, arguments) => PrintfFormatter.Format(ValueFormatter.ToStr(value), arguments.Positional.ToArray()),
        ["from_json"] = (value, _) => TemplateJson.Parse(ValueFormatter.ToStr(value)),
        ["indent"] = Indent,
        ["int"] = ToInt,
        ["items"] = (value, _) => value switch
        {
            TemplateDict dict => DictMethods.Items(dict),
            Undefined => new List<object?>(),
            _ => throw new TemplateEvaluationException($"can only get item pairs from a mapping, not {ValueFormatter.TypeName(value)}"),
        },
        ["join"] = Join,
        ["last"] = (value, _) => ValueOperations.Iterate(value) is { Count: > 0 } items ? items[^1] : Undefined.Instance,
        ["length"] = (value, _) => ValueOperations.Length(value),
        ["list"] = (value, _) => ValueOperations.Iterate(value).ToList(),
        ["lower"] = (value, _) => ValueFormatter.ToStr(value).ToLowerInvariant(),
        ["map"] = Map,
        ["max"] = (value, arguments) => Extreme(value, arguments, largest: true),
        ["min"] = (value, arguments) => Extreme(value, arguments, largest: false),
        ["pprint"] = (value, _) => ValueFormatter.Repr(value),
        ["reject"] = (value, arguments) => Select(value, arguments, byAttribute: false, keep: false),
        ["rejectattr"] = (value, arguments) => Select(value, arguments, byAttribute: true, keep: false),
        ["replace"] = (value, arguments) => StringMethods.Replace(
            ValueFormatter.ToStr(value),
            arguments.GetString(0, "old") ?? string.Empty,
            arguments.GetString(1, "new") ?? string.Empty,
            arguments.GetInteger(2, "count", -1)),
        ["reverse"] = (value, _) => value is string s ? new string([.. s.Reverse()]) : ValueOperations.Iterate(value).Reverse().ToList(),
        ["round"] = Round,
        ["safe"] = (value, _) => value,
        ["select"] = (value, arguments) => Select(value, arguments, byAttribute: false, keep: true),
        ["selectattr"] = (value, arguments) => Select(value, arguments, byAttribute: true, keep: true),
        ["sort"] = Sort,
        ["split"] = (value, arguments) => StringMethods.Split(ValueFormatter.ToStr(value), arguments.GetString(0, "sep"), arguments.GetInteger(1, "maxsplit", -1)),
        ["string"] = (value, _) => ValueFormatter.ToStr(value),
        ["sum"] = Sum,
        ["title"] = (value, _) => JinjaTitle(ValueFormatter.ToStr(value)),
        ["tojson"] = ToJson,
        ["trim"] = (value, arguments) => StringMethods.Strip(ValueFormatter.ToStr(value), arguments.GetString(0, "chars"), true, true),
        ["unique"] = Unique,
        ["upper"] = (value, _) => ValueFormatter.ToStr(value).ToUpperInvariant(),
        ["wordcount"] = (value, _) => (long)WordPattern().Count(ValueFormatter.ToStr(value)),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    // llama.cpp's engine lets these filters take None and give an empty list (Jinja2 raises): functionary v3.1's template
    // sets 'tools' to none when no tools are given and then filters it.
    private static readonly FrozenSet<string> s_emptyOnNone = FrozenSet.ToFrozenSet(["items", "map", "reject", "rejectattr", "select", "selectattr", "unique"], StringComparer.Ordinal);

    /// <summary>Finds the filter called <paramref name="name"/>.</summary>
    public static bool TryGet(string name, out FilterFunction filter)
    {
        if (!s_filters.TryGetValue(name, out FilterFunction? found))
        {
            filter = null!;
            return false;
        }

        filter = s_emptyOnNone.Contains(name) ? (value, arguments) => value is null ? new List<object?>() : found(value, arguments) : found;
        return true;
    }

    [GeneratedRegex(@"\w+")]
    private static partial Regex WordPattern();

    [GeneratedRegex(@"([-\s({\[<]+)")]
    private static partial Regex WordBeginningPattern();

    private static object? Default(object? value, CallArguments arguments)
    {
        bool replaceFalsy = arguments.GetBoolean(1, "boolean", false);
        return value is Undefined || (replaceFalsy && !ValueOperations.IsTruthy(value)) ? arguments.Get(0, "default_value", string.Empty) : value;
    }

    /// <summary>HTML-escapes like MarkupSafe, which Jinja uses: only <c>&amp; &lt; &gt; " '</c> change.</summary>
    private static object? Escape(object? value) => ValueFormatter.ToStr(value)
        .Replace("&", "&amp;", StringComparison.Ordinal)
        .Replace("<", "&lt;", StringComparison.Ordinal)
        .Replace(">", "&gt;", StringComparison.Ordinal)
        .Replace("\"", "&#34;", StringComparison.Ordinal)
        .Replace("'", "&#39;", StringComparison.Ordinal);

    private static object? ToJson(object? value, CallArguments arguments)
    {
        (string, string)? separators = arguments.Get(-1, "separators") is IList<object?> { Count: 2 } pair
            ? (ValueFormatter.ToStr(pair[0]), ValueFormatter.ToStr(pair[1]))
            : null;
        return TemplateJson.Serialize(
            value,
            arguments.Get(0, "indent"),
            separators,
            arguments.GetBoolean(-1, "sort_keys", false),
            arguments.GetBoolean(-1, "ensure_ascii", false));
    }

    /// <summary>Jinja's <c>title</c> filter: capitalizes words split at whitespace and opening brackets.</summary>
    private static string JinjaTitle(string s) =>
        string.Concat(WordBeginningPattern().Split(s).Where(item => item.Length > 0).Select(item => char.ToUpperInvariant(item[0]) + item[1..].ToLowerInvariant()));

    private static object? Center(object? value, CallArguments arguments)
    {
        string s = ValueFormatter.ToStr(value);
        int width = (int)arguments.GetInteger(0, "width", 80);
        int padding = Math.Max(0, width - s.Length);
        int left = (padding / 2) + (padding & width & 1);
        return new string(' ', left) + s + new string(' ', padding - left);
    }

    private static object? Indent(object? value, CallArguments arguments)
    {
        object? width = arguments.Get(0, "width", 4L);
        string indentation = width is string text ? text : new string(' ', (int)ValueOperations.ToInteger(width));
        bool first = arguments.GetBoolean(1, "first", false);
        bool blank = arguments.GetBoolean(2, "blank", false);

        // Jinja appends a newline first so that splitlines keeps a trailing empty line.
        var lines = StringMethods.Split(ValueFormatter.ToStr(value) + "\n", "\n", -1).Select(ValueFormatter.ToStr).ToList();
        lines.RemoveAt(lines.Count - 1);
        string result = blank
            ? string.Join("\n" + indentation, lines)
            : lines[0] + string.Concat(lines.Skip(1).Select(line => "\n" + (line.Length > 0 ? indentation + line : line)));
        return first ? indentation + result : result;
    }

    private static object? ToInt(object? value, CallArguments arguments)
    {
        long fallback = arguments.GetInteger(0, "default", 0);
        int numberBase = (int)arguments.GetInteger(1, "base", 10);
        return value switch
        {
            long or bool => ValueOperations.ToInteger(value),
            double d => (long)d,
            string s when numberBase == 10 && long.TryParse(s.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long parsed) => parsed,
            string s when numberBase != 10 && TryParseBase(s.Trim(), numberBase, out long parsed) => parsed,
            string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double parsed) => (long)parsed,
            _ => fallback,
        };
    }

    private static bool TryParseBase(string s, int numberBase, out long parsed)
    {
        try
        {
            parsed = Convert.ToInt64(s, numberBase);
            return true;
        }
        catch (Exception error) when (error is FormatException or ArgumentException or OverflowException)
        {
            parsed = 0;
            return false;
        }
    }

    private static object? ToFloat(object? value, CallArguments arguments) => value switch
    {
        double or long or bool => ValueOperations.ToDouble(value),
        string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double parsed) => parsed,
        _ => arguments.Get(0, "default") is { } fallback and not Undefined ? ValueOperations.ToDouble(fallback) : 0.0,
    };

    /// <summary>Jinja rounds with Python's round(), which rounds halves to even.</summary>
    private static object? Round(object? value, CallArguments arguments)
    {
        int precision = (int)arguments.GetInteger(0, "precision", 0);
        string method = arguments.GetString(1, "method") ?? "common";
        double number = ValueOperations.ToDouble(value);
        double scale = Math.Pow(10, precision);
        return method switch
        {
            "common" => Math.Round(number, precision, MidpointRounding.ToEven),
            "ceil" => Math.Ceiling(number * scale) / scale,
            "floor" => Math.Floor(number * scale) / scale,
            _ => throw new TemplateEvaluationException("method must be common, ceil or floor"),
        };
    }

    private static object? Join(object? value, CallArguments arguments)
    {
        string separator = arguments.GetString(0, "d") ?? string.Empty;
        string? attribute = arguments.GetString(1, "attribute");
        var items = ValueOperations.Iterate(value);
        return string.Join(separator, items.Select(item => ValueFormatter.ToStr(attribute is null ? item : ResolveAttribute(item, attribute))));
    }

    private static object? Batch(object? value, CallArguments arguments)
    {
        int size = (int)arguments.GetInteger(0, "linecount", 1);
        if (size <= 0)
        {
            throw new TemplateEvaluationException("batch size must be positive");
        }

        bool fill = arguments.TryGet(1, "fill_with", out object? filler);
        var batches = new List<object?>();
        var items = ValueOperations.Iterate(value);
        for (int i = 0; i < items.Count; i += size)
        {
            var batch = items.Skip(i).Take(size).ToList();
            while (fill && batch.Count < size)
            {
                batch.Add(filler);
            }

            batches.Add(batch);
        }

        return batches;
    }

    private static object? Map(object? value, CallArguments arguments)
    {
        var items = ValueOperations.Iterate(value);
        if (arguments.TryGet(-1, "attribute", out object? attribute))
        {
            bool hasDefault = arguments.TryGet(-1, "default", out object? fallback);
            return items.Select(item =>
            {
                object? resolved = ResolveAttribute(item, ValueFormatter.ToStr(attribute));
                return resolved is Undefined && hasDefault ? fallback : resolved;
            }).ToList();
        }

        string name = arguments.GetString(0, "filter") ?? throw new TemplateEvaluationException("map requires a filter name or attribute=");
        if (!TryGet(name, out var filter))
        {
            throw new TemplateEvaluationException($"No filter named '{name}'");
        }

        var rest = new CallArguments(arguments.Positional.Skip(1).ToArray(), arguments.Named);
        return items.Select(item => filter(item, rest)).ToList();
    }

    /// <summary><c>select</c>/<c>reject</c>/<c>selectattr</c>/<c>rejectattr</c>: keep items whose test (truthiness by default) is <paramref name="keep"/>.</summary>
    private static object? Select(object? value, CallArguments arguments, bool byAttribute, bool keep)
    {
        int next = 0;
        string? attribute = byAttribute ? ValueFormatter.ToStr(arguments.Required(next++, "attribute", "selectattr")) : null;
        string? testName = next < arguments.Positional.Count ? ValueFormatter.ToStr(arguments.Positional[next++]) : null;
        TestFunction test;
        if (testName is null)
        {
            test = (candidate, _) => ValueOperations.IsTruthy(candidate);
        }
        else if (!BuiltinTests.TryGet(testName, out test))
        {
            throw new TemplateEvaluationException($"No test named '{testName}'");
        }

        var testArguments = new CallArguments(arguments.Positional.Skip(next).ToArray(), []);
        return ValueOperations.Iterate(value)
            .Where(item => test(attribute is null ? item : ResolveAttribute(item, attribute), testArguments) == keep)
            .ToList();
    }

    private static object? Sort(object? value, CallArguments arguments)
    {
        bool reverse = arguments.GetBoolean(0, "reverse", false);
        bool caseSensitive = arguments.GetBoolean(1, "case_sensitive", false);
        string? attribute = arguments.GetString(2, "attribute");
        var sorted = SortBy(ValueOperations.Iterate(value), item => SortKey(attribute is null ? item : ResolveAttribute(item, attribute), caseSensitive));
        if (reverse)
        {
            sorted.Reverse();
        }

        return sorted;
    }

    private static object? DictSort(object? value, CallArguments arguments)
    {
        if (value is not TemplateDict dict)
        {
            throw new TemplateEvaluationException("dictsort requires a mapping");
        }

        bool caseSensitive = arguments.GetBoolean(0, "case_sensitive", false);
        int position = (arguments.GetString(1, "by") ?? "key") == "value" ? 1 : 0;
        var sorted = SortBy(DictMethods.Items(dict), pair => SortKey(((object?[])pair!)[position], caseSensitive));
        if (arguments.GetBoolean(2, "reverse", false))
        {
            sorted.Reverse();
        }

        return sorted;
    }

    private static object? Unique(object? value, CallArguments arguments)
    {
        bool caseSensitive = arguments.GetBoolean(0, "case_sensitive", false);
        string? attribute = arguments.GetString(1, "attribute");
        var seen = new List<object?>();
        var result = new List<object?>();
        foreach (object? item in ValueOperations.Iterate(value))
        {
            object? key = SortKey(attribute is null ? item : ResolveAttribute(item, attribute), caseSensitive);
            if (!seen.Any(existing => ValueOperations.AreEqual(existing, key)))
            {
                seen.Add(key);
                result.Add(item);
            }
        }

        return result;
    }

    private static object? Extreme(object? value, CallArguments arguments, bool largest)
    {
        bool caseSensitive = arguments.GetBoolean(0, "case_sensitive", false);
        string? attribute = arguments.GetString(1, "attribute");
        var sorted = SortBy(ValueOperations.Iterate(value), item => SortKey(attribute is null ? item : ResolveAttribute(item, attribute), caseSensitive));
        return sorted.Count == 0 ? Undefined.Instance : largest ? sorted[^1] : sorted[0];
    }

    private static object? Sum(object? value, CallArguments arguments)
    {
        string? attribute = arguments.GetString(0, "attribute");
        object? total = arguments.Get(1, "start", 0L);
        foreach (object? item in ValueOperations.Iterate(value))
        {
            total = ValueOperations.Arithmetic("+", total, attribute is null ? item : ResolveAttribute(item, attribute));
        }

        return total;
    }

    /// <summary>A stable sort by Python ordering.</summary>
    private static List<object?> SortBy(IEnumerable<object?> items, Func<object?, object?> key) =>
        items.OrderBy(key, Comparer<object?>.Create((a, b) => ValueOperations.Compare(a, b))).ToList();

    private static object? SortKey(object? value, bool caseSensitive) =>
        !caseSensitive && value is string s ? s.ToLowerInvariant() : value;

    /// <summary>Resolves a dotted attribute path such as <c>function.name</c> or <c>0</c>, as Jinja's attribute getters do.</summary>
    private static object? ResolveAttribute(object? item, string path)
    {
        foreach (string part in path.Split('.'))
        {
            item = long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out long index)
                ? MemberAccess.GetItem(item, index)
                : MemberAccess.GetItem(item, part);
        }

        return item;
    }
}
