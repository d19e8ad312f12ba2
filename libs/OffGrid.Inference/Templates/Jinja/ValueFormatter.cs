using System.Globalization;
using System.Text;

namespace OffGrid.Inference.Templates.Jinja;

/// <summary>
/// Python's <c>str()</c> and <c>repr()</c> of template values, because templates print values straight into prompts
/// (<c>True</c>, <c>None</c>, <c>{'a': 1}</c>) and models were trained on exactly that text.
/// </summary>
internal static class ValueFormatter
{
    /// <summary>Python's <c>str(value)</c>; undefined prints as nothing.</summary>
    public static string ToStr(object? value) => value switch
    {
        string s => s,
        Undefined => string.Empty,
        _ => Repr(value),
    };

    /// <summary>Python's <c>repr(value)</c>.</summary>
    public static string Repr(object? value)
    {
        var builder = new StringBuilder();
        AppendRepr(builder, value);
        return builder.ToString();
    }

    /// <summary>The Python type name of <paramref name="value"/>, for error messages.</summary>
    public static string TypeName(object? value) => value switch
    {
        null => "NoneType",
        Undefined => "Undefined",
        bool => "bool",
        long => "int",
        double => "float",
        string => "str",
        List<object?> => "list",
        object?[] => "tuple",
        TemplateDict => "dict",
        TemplateNamespace => "Namespace",
        LoopState => "LoopContext",
        TemplateCallable => "function",
        _ => value.GetType().Name,
    };

    /// <summary>Python's <c>repr(float)</c>: shortest round-trip digits, <c>1.0</c> not <c>1</c>, exponent outside 1e-4..1e16.</summary>
    public static string FormatFloat(double value)
    {
        if (double.IsNaN(value))
        {
            return "nan";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "inf" : "-inf";
        }

        if (value == 0)
        {
            return double.IsNegative(value) ? "-0.0" : "0.0";
        }

        (string digits, int exponent) = ShortestDigits(Math.Abs(value));
        string sign = value < 0 ? "-" : string.Empty;
        if (exponent < -4 || exponent >= 16)
        {
            string mantissa = digits.Length == 1 ? digits : digits[0] + "." + digits[1..];
            return $"{sign}{mantissa}e{(exponent < 0 ? "-" : "+")}{Math.Abs(exponent):00}";
        }

        if (exponent < 0)
        {
            return sign + "0." + new string('0', -exponent - 1) + digits;
        }

        string integer = digits.Length > exponent + 1 ? digits[..(exponent + 1)] : digits.PadRight(exponent + 1, '0');
        string fraction = digits.Length > exponent + 1 ? digits[(exponent + 1)..] : "0";
        return sign + integer + "." + fraction;
    }

    /// <summary>The shortest round-trip significant digits of a positive number and its decimal exponent.</summary>
    private static (string Digits, int Exponent) ShortestDigits(double value)
    {
        string roundTrip = value.ToString("R", CultureInfo.InvariantCulture);
        int e = roundTrip.IndexOf('E', StringComparison.Ordinal);
        string digits;
        int exponent;
        if (e >= 0)
        {
            exponent = int.Parse(roundTrip.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            digits = roundTrip[..e].Replace(".", string.Empty, StringComparison.Ordinal);
        }
        else
        {
            int dot = roundTrip.IndexOf('.', StringComparison.Ordinal);
            string integer = dot < 0 ? roundTrip : roundTrip[..dot];
            string fraction = dot < 0 ? string.Empty : roundTrip[(dot + 1)..];
            if (integer != "0")
            {
                exponent = integer.Length - 1;
                digits = integer + fraction;
            }
            else
            {
                string significant = fraction.TrimStart('0');
                exponent = -(fraction.Length - significant.Length + 1);
                digits = significant;
            }
        }

        digits = digits.TrimEnd('0');
        return (digits.Length == 0 ? "0" : digits, exponent);
    }

    private static void AppendRepr(StringBuilder builder, object? value)
    {
        switch (value)
        {
            case null:
                builder.Append("None");
                break;
            case Undefined:
                break;
            case bool b:
                builder.Append(b ? "True" : "False");
                break;
            case long l:
                builder.Append(l.ToString(CultureInfo.InvariantCulture));
                break;
            case double d:
                builder.Append(FormatFloat(d));
                break;
            case string s:
                AppendStringRepr(builder, s);
                break;
            case List<object?> list:
                AppendItems(builder, "[", list, "]");
                break;
            case object?[] tuple:
                AppendItems(builder, "(", tuple, tuple.Length == 1 ? ",)" : ")");
                break;
            case TemplateDict dict:
                AppendDict(builder, dict);
                break;
            case TemplateNamespace ns:
                builder.Append("<Namespace ");
                AppendDict(builder, ns.Attributes);
                builder.Append('>');
                break;
            case LoopState loop:
                builder.Append(CultureInfo.InvariantCulture, $"<LoopContext {loop.Index}/{loop.Length}>");
                break;
            default:
                builder.Append(CultureInfo.InvariantCulture, $"<{TypeName(value)}>");
                break;
        }
    }

    private static void AppendItems(StringBuilder builder, string open, IList<object?> items, string close)
    {
        builder.Append(open);
        for (int i = 0; i < items.Count; i++)
        {
            if (i > 0)
            {
                builder.Append(", ");
            }

            AppendRepr(builder, items[i]);
        }

        builder.Append(close);
    }

    private static void AppendDict(StringBuilder builder, TemplateDict dict)
    {
        builder.Append('{');
        bool first = true;
        foreach (var pair in dict)
        {
            if (!first)
            {
                builder.Append(", ");
            }

            first = false;
            AppendRepr(builder, pair.Key);
            builder.Append(": ");
            AppendRepr(builder, pair.Value);
        }

        builder.Append('}');
    }

    private static void AppendStringRepr(StringBuilder builder, string s)
    {
        char quote = s.Contains('\'', StringComparison.Ordinal) && !s.Contains('"', StringComparison.Ordinal) ? '"' : '\'';
        builder.Append(quote);
        foreach (char c in s)
        {
            switch (c)
            {
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case var q when q == quote: builder.Append('\\').Append(q); break;
                case < ' ' or '\x7f': builder.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}"); break;
                default: builder.Append(c); break;
            }
        }

        builder.Append(quote);
    }
}
