using System.Text;

namespace OffGrid.Inference.Templates.Jinja;

/// <summary>The Python <c>str</c> methods templates call, with Python's semantics (<c>split()</c> on whitespace runs, <c>strip(chars)</c>, ...).</summary>
internal static class StringMethods
{
    /// <summary>Binds method <paramref name="name"/> to <paramref name="s"/>, or returns <see langword="null"/> if there is none.</summary>
    public static TemplateCallable? Bind(string s, string name) => name switch
    {
        "strip" => new BuiltinFunction(name, (arguments, _) => Strip(s, arguments.GetString(0, "chars"), true, true)),
        "lstrip" => new BuiltinFunction(name, (arguments, _) => Strip(s, arguments.GetString(0, "chars"), true, false)),
        "rstrip" => new BuiltinFunction(name, (arguments, _) => Strip(s, arguments.GetString(0, "chars"), false, true)),
        "split" => new BuiltinFunction(name, (arguments, _) => Split(s, arguments.GetString(0, "sep"), arguments.GetInteger(1, "maxsplit", -1))),
        "splitlines" => new BuiltinFunction(name, (arguments, _) => SplitLines(s, arguments.GetBoolean(0, "keepends", false))),
        "startswith" => new BuiltinFunction(name, (arguments, _) =>
            Affixes(arguments.Required(0, "prefix", name)).Any(prefix => s.StartsWith(prefix, StringComparison.Ordinal))),
        "endswith" => new BuiltinFunction(name, (arguments, _) =>
            Affixes(arguments.Required(0, "suffix", name)).Any(suffix => s.EndsWith(suffix, StringComparison.Ordinal))),
        "upper" => new BuiltinFunction(name, (_, _) => s.ToUpperInvariant()),
        "lower" => new BuiltinFunction(name, (_, _) => s.ToLowerInvariant()),
        "title" => new BuiltinFunction(name, (_, _) => Title(s)),
        "capitalize" => new BuiltinFunction(name, (_, _) => Capitalize(s)),
        "replace" => new BuiltinFunction(name, (arguments, _) => Replace(
            s, arguments.GetString(0, "old") ?? string.Empty, arguments.GetString(1, "new") ?? string.Empty, arguments.GetInteger(2, "count", -1))),
        "format" => new BuiltinFunction(name, (arguments, _) => PythonStringFormat.Format(s, arguments)),
        "count" => new BuiltinFunction(name, (arguments, _) => (long)CountOccurrences(s, arguments.GetString(0, "sub") ?? string.Empty)),
        "find" => new BuiltinFunction(name, (arguments, _) => (long)s.IndexOf(arguments.GetString(0, "sub") ?? string.Empty, StringComparison.Ordinal)),
        "rfind" => new BuiltinFunction(name, (arguments, _) => (long)s.LastIndexOf(arguments.GetString(0, "sub") ?? string.Empty, StringComparison.Ordinal)),
        "join" => new BuiltinFunction(name, (arguments, _) =>
            string.Join(s, ValueOperations.Iterate(arguments.Required(0, "iterable", name)).Select(ValueFormatter.ToStr))),
        "isdigit" => new BuiltinFunction(name, (_, _) => s.Length > 0 && s.All(char.IsDigit)),
        "isalpha" => new BuiltinFunction(name, (_, _) => s.Length > 0 && s.All(char.IsLetter)),
        "isalnum" => new BuiltinFunction(name, (_, _) => s.Length > 0 && s.All(char.IsLetterOrDigit)),
        "isspace" => new BuiltinFunction(name, (_, _) => s.Length > 0 && s.All(char.IsWhiteSpace)),
        "islower" => new BuiltinFunction(name, (_, _) => IsCased(s, char.IsLower, char.IsUpper)),
        "isupper" => new BuiltinFunction(name, (_, _) => IsCased(s, char.IsUpper, char.IsLower)),
        _ => null,
    };

    /// <summary>Python's <c>str.strip/lstrip/rstrip</c>: whitespace, or any of <paramref name="chars"/>.</summary>
    public static string Strip(string s, string? chars, bool start, bool end)
    {
        char[]? set = chars?.ToCharArray();
        return (start, end) switch
        {
            (true, true) => set is null ? s.Trim() : s.Trim(set),
            (true, false) => set is null ? s.TrimStart() : s.TrimStart(set),
            _ => set is null ? s.TrimEnd() : s.TrimEnd(set),
        };
    }

    /// <summary>Python's <c>str.split</c>: without a separator, splits on whitespace runs and drops empty pieces.</summary>
    public static List<object?> Split(string s, string? separator, long maxSplit)
    {
        if (separator is not null)
        {
            if (separator.Length == 0)
            {
                throw new TemplateEvaluationException("empty separator");
            }

            return [.. (maxSplit < 0 ? s.Split(separator) : s.Split(separator, (int)maxSplit + 1))];
        }

        var pieces = new List<object?>();
        int i = 0;
        while (i < s.Length)
        {
            while (i < s.Length && char.IsWhiteSpace(s[i]))
            {
                i++;
            }

            if (i >= s.Length)
            {
                break;
            }

            if (maxSplit >= 0 && pieces.Count == maxSplit)
            {
                pieces.Add(s[i..].TrimEnd());
                break;
            }

            int start = i;
            while (i < s.Length && !char.IsWhiteSpace(s[i]))
            {
                i++;
            }

            pieces.Add(s[start..i]);
        }

        return pieces;
    }

    /// <summary>Python's <c>str.title</c>: upper-cases the first letter of every run of letters.</summary>
    public static string Title(string s)
    {
        var builder = new StringBuilder(s.Length);
        bool previousCased = false;
        foreach (char c in s)
        {
            bool letter = char.IsLetter(c);
            builder.Append(!letter ? c : previousCased ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c));
            previousCased = letter;
        }

        return builder.ToString();
    }

    /// <summary>Python's <c>str.capitalize</c>.</summary>
    public static string Capitalize(string s) =>
        s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..].ToLowerInvariant();

    /// <summary>Python's <c>str.replace</c>, limited to <paramref name="count"/> replacements when it is not negative.</summary>
    public static string Replace(string s, string old, string replacement, long count)
    {
        if (count == 0)
        {
            return s;
        }

        if (old.Length == 0)
        {
            // Python inserts the replacement between every character and at both ends.
            return replacement + string.Join(replacement, s.Select(c => c.ToString())) + (s.Length > 0 ? replacement : string.Empty);
        }

        if (count < 0)
        {
            return s.Replace(old, replacement, StringComparison.Ordinal);
        }

        var builder = new StringBuilder();
        int position = 0;
        for (long done = 0; done < count; done++)
        {
            int found = s.IndexOf(old, position, StringComparison.Ordinal);
            if (found < 0)
            {
                break;
            }

            builder.Append(s, position, found - position).Append(replacement);
            position = found + old.Length;
        }

        return builder.Append(s, position, s.Length - position).ToString();
    }

    private static List<object?> SplitLines(string s, bool keepEnds)
    {
        var lines = new List<object?>();
        int start = 0;
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] is not ('\n' or '\r'))
            {
                continue;
            }

            int end = i;
            if (s[i] == '\r' && i + 1 < s.Length && s[i + 1] == '\n')
            {
                i++;
            }

            lines.Add(keepEnds ? s[start..(i + 1)] : s[start..end]);
            start = i + 1;
        }

        if (start < s.Length)
        {
            lines.Add(s[start..]);
        }

        return lines;
    }

    private static IEnumerable<string> Affixes(object? value) =>
        value is object?[] tuple ? tuple.Select(ValueFormatter.ToStr) : [ValueFormatter.ToStr(value)];

    private static int CountOccurrences(string s, string sub)
    {
        if (sub.Length == 0)
        {
            return s.Length + 1;
        }

        int count = 0;
        for (int i = s.IndexOf(sub, StringComparison.Ordinal); i >= 0; i = s.IndexOf(sub, i + sub.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private static bool IsCased(string s, Func<char, bool> wanted, Func<char, bool> unwanted) =>
        s.Any(wanted) && !s.Any(unwanted);
}
