using System.Globalization;

namespace OffGrid.Inference.Templates.Jinja;

/// <summary>
/// Python semantics for template values: truthiness, equality, ordering, arithmetic, membership and iteration.
/// Values are <see langword="null"/> (None), <see cref="Undefined"/>, <see cref="bool"/>, <see cref="long"/>,
/// <see cref="double"/>, <see cref="string"/>, <see cref="List{T}"/> (list), <c>object?[]</c> (tuple),
/// <see cref="TemplateDict"/>, <see cref="TemplateNamespace"/>, <see cref="LoopState"/> and <see cref="TemplateCallable"/>.
/// </summary>
internal static class ValueOperations
{
    /// <summary>Python's <c>bool(value)</c>.</summary>
    public static bool IsTruthy(object? value) => value switch
    {
        null or Undefined => false,
        bool b => b,
        long l => l != 0,
        double d => d != 0,
        string s => s.Length > 0,
        IList<object?> list => list.Count > 0,
        TemplateDict dict => dict.Count > 0,
        _ => true,
    };

    /// <summary>Whether <paramref name="value"/> is a Python number (bool counts, as in Python).</summary>
    public static bool IsNumber(object? value) => value is long or double or bool;

    /// <summary>Python's <c>a == b</c>.</summary>
    public static bool AreEqual(object? a, object? b)
    {
        if (IsNumber(a) && IsNumber(b))
        {
            return a is double || b is double ? ToDouble(a) == ToDouble(b) : ToInteger(a) == ToInteger(b);
        }

        return (a, b) switch
        {
            (null, null) or (Undefined, Undefined) => true,
            (string x, string y) => string.Equals(x, y, StringComparison.Ordinal),
            (List<object?> x, List<object?> y) => SequenceEqual(x, y),
            (object?[] x, object?[] y) => SequenceEqual(x, y),
            (TemplateDict x, TemplateDict y) => DictEqual(x, y),
            _ => ReferenceEquals(a, b),
        };
    }

    /// <summary>Python's three-way ordering for <c>&lt;</c>, <c>&gt;</c>, <c>&lt;=</c>, <c>&gt;=</c>; <paramref name="sign"/> names the operator in errors.</summary>
    public static int Compare(object? a, object? b, string sign = "<")
    {
        if (IsNumber(a) && IsNumber(b))
        {
            return a is double || b is double ? ToDouble(a).CompareTo(ToDouble(b)) : ToInteger(a).CompareTo(ToInteger(b));
        }

        switch (a, b)
        {
            case (string x, string y):
                return Math.Sign(string.CompareOrdinal(x, y));
            case (IList<object?> x, IList<object?> y) when x.GetType() == y.GetType():
                for (int i = 0; i < Math.Min(x.Count, y.Count); i++)
                {
                    if (!AreEqual(x[i], y[i]))
                    {
                        return Compare(x[i], y[i], sign);
                    }
                }

                return x.Count.CompareTo(y.Count);
            default:
                throw new TemplateEvaluationException(
                    $"'{sign}' not supported between instances of '{ValueFormatter.TypeName(a)}' and '{ValueFormatter.TypeName(b)}'");
        }
    }

    /// <summary>Python's <c>item in container</c>.</summary>
    public static bool Contains(object? container, object? item) => container switch
    {
        string s when item is string sub => s.Contains(sub, StringComparison.Ordinal),
        string => throw new TemplateEvaluationException(
            $"'in <string>' requires string as left operand, not {ValueFormatter.TypeName(item)}"),
        IList<object?> list => list.Any(element => AreEqual(element, item)),
        TemplateDict dict => item is not null && dict.ContainsKey(item),
        TemplateNamespace ns => item is not null && ns.Attributes.ContainsKey(item),
        Undefined => false,
        _ => throw new TemplateEvaluationException($"argument of type '{ValueFormatter.TypeName(container)}' is not iterable"),
    };

    /// <summary>The items a <c>for</c> loop or filter visits: list items, dict keys, string characters; undefined is empty.</summary>
    public static IReadOnlyList<object?> Iterate(object? value) => value switch
    {
        Undefined => [],
        IList<object?> list => [.. list],
        TemplateDict dict => [.. dict.Keys],
        string s => [.. s.EnumerateRunes().Select(rune => (object?)rune.ToString())],
        TemplateNamespace ns => [.. ns.Attributes.Keys],
        _ => throw new TemplateEvaluationException($"'{ValueFormatter.TypeName(value)}' object is not iterable"),
    };

    /// <summary>Python's <c>len(value)</c>; undefined has length 0 as in Jinja.</summary>
    public static long Length(object? value) => value switch
    {
        string s => s.EnumerateRunes().Count(),
        IList<object?> list => list.Count,
        TemplateDict dict => dict.Count,
        TemplateNamespace ns => ns.Attributes.Count,
        Undefined => 0,
        _ => throw new TemplateEvaluationException($"object of type '{ValueFormatter.TypeName(value)}' has no len()"),
    };

    /// <summary>Converts a number (or numeric string) to an integer, truncating floats.</summary>
    public static long ToInteger(object? value) => value switch
    {
        long l => l,
        bool b => b ? 1 : 0,
        double d => (long)d,
        string s when long.TryParse(s.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long parsed) => parsed,
        _ => throw new TemplateEvaluationException($"'{ValueFormatter.TypeName(value)}' object cannot be interpreted as an integer"),
    };

    /// <summary>Converts a number to a float.</summary>
    public static double ToDouble(object? value) => value switch
    {
        double d => d,
        long l => l,
        bool b => b ? 1 : 0,
        _ => throw new TemplateEvaluationException($"must be real number, not {ValueFormatter.TypeName(value)}"),
    };

    /// <summary>Applies a binary arithmetic operator (<c>+ - * / // % **</c>) with Python's rules.</summary>
    public static object? Arithmetic(string sign, object? left, object? right)
    {
        // Like llama.cpp's engine, "+" joins a string with None or undefined as with an empty string (Jinja2 raises):
        // firefunction-v2's template adds a 'functions' text that llama.cpp never defines.
        if (sign == "+" && (left, right) is (string, null or Undefined) or (null or Undefined, string))
        {
            return (left as string ?? string.Empty) + (right as string ?? string.Empty);
        }

        if (left is Undefined undefinedLeft)
        {
            throw new TemplateEvaluationException(undefinedLeft.Description);
        }

        if (right is Undefined undefinedRight)
        {
            throw new TemplateEvaluationException(undefinedRight.Description);
        }

        if (IsNumber(left) && IsNumber(right))
        {
            return NumericArithmetic(sign, left, right);
        }

        object? result = (sign, left, right) switch
        {
            ("+", string a, string b) => a + b,
            ("+", List<object?> a, List<object?> b) => new List<object?>([.. a, .. b]),
            ("+", object?[] a, object?[] b) => (object?[])[.. a, .. b],
            ("*", string a, long or bool) => string.Concat(Enumerable.Repeat(a, (int)Math.Max(0, ToInteger(right)))),
            ("*", List<object?> a, long or bool) => Enumerable.Repeat(a, (int)Math.Max(0, ToInteger(right))).SelectMany(x => x).ToList(),
            ("%", string format, _) => PrintfFormatter.Format(format, right),
            _ => Undefined.Instance,
        };

        return result is Undefined
            ? throw new TemplateEvaluationException(
                $"unsupported operand type(s) for {sign}: '{ValueFormatter.TypeName(left)}' and '{ValueFormatter.TypeName(right)}'")
            : result;
    }

    private static object NumericArithmetic(string sign, object? left, object? right)
    {
        bool integral = left is not double && right is not double;
        if (sign == "/" || !integral)
        {
            double a = ToDouble(left);
            double b = ToDouble(right);
            if (b == 0 && sign is "/" or "//" or "%")
            {
                throw new TemplateEvaluationException("division by zero");
            }

            return sign switch
            {
                "+" => a + b,
                "-" => a - b,
                "*" => a * b,
                "/" => a / b,
                "//" => Math.Floor(a / b),
                "%" => a - (b * Math.Floor(a / b)),
                _ => Math.Pow(a, b),
            };
        }

        long x = ToInteger(left);
        long y = ToInteger(right);
        if (y == 0 && sign is "//" or "%")
        {
            throw new TemplateEvaluationException("integer division or modulo by zero");
        }

        return sign switch
        {
            "+" => x + y,
            "-" => x - y,
            "*" => x * y,
            "//" => FloorDivide(x, y),
            "%" => x - (y * FloorDivide(x, y)),
            _ => y >= 0 ? (object)(long)Math.Pow(x, y) : Math.Pow(x, y),
        };
    }

    private static long FloorDivide(long x, long y)
    {
        long quotient = x / y;
        return (x % y != 0) && ((x < 0) != (y < 0)) ? quotient - 1 : quotient;
    }

    private static bool SequenceEqual(IList<object?> x, IList<object?> y)
    {
        if (x.Count != y.Count)
        {
            return false;
        }

        for (int i = 0; i < x.Count; i++)
        {
            if (!AreEqual(x[i], y[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static bool DictEqual(TemplateDict x, TemplateDict y) =>
        x.Count == y.Count && x.All(pair => y.TryGetValue(pair.Key, out object? other) && AreEqual(pair.Value, other));
}
