using System.Globalization;
using System.Text;

namespace OffGrid.Inference.Templates.Jinja;

/// <summary>Python's printf-style <c>"%s" % value</c> formatting, used by the <c>%</c> operator and the <c>format</c> filter.</summary>
internal static class PrintfFormatter
{
    /// <summary>Formats <paramref name="format"/> with <paramref name="arguments"/>: a tuple supplies several values, anything else one.</summary>
    public static string Format(string format, object? arguments)
    {
        IList<object?> values = arguments is object?[] tuple ? tuple : [arguments];
        var output = new StringBuilder();
        int next = 0;
        for (int i = 0; i < format.Length; i++)
        {
            char c = format[i];
            if (c != '%')
            {
                output.Append(c);
                continue;
            }

            int start = ++i;
            while (i < format.Length && (format[i] is '-' or '+' or ' ' or '0' or '.' || char.IsAsciiDigit(format[i])))
            {
                i++;
            }

            if (i >= format.Length)
            {
                throw new TemplateEvaluationException("incomplete format");
            }

            char conversion = format[i];
            if (conversion == '%')
            {
                output.Append('%');
                continue;
            }

            if (next >= values.Count)
            {
                throw new TemplateEvaluationException("not enough arguments for format string");
            }

            output.Append(Convert(conversion, format[start..i], values[next++]));
        }

        return output.ToString();
    }

    private static string Convert(char conversion, string spec, object? value)
    {
        bool leftAlign = spec.StartsWith('-');
        string body = spec.TrimStart('-', '+', ' ');
        bool zeroPad = body.StartsWith('0');
        int dot = body.IndexOf('.', StringComparison.Ordinal);
        int width = int.TryParse(dot >= 0 ? body[..dot] : body, NumberStyles.None, CultureInfo.InvariantCulture, out int w) ? w : 0;
        int? precision = dot >= 0 && int.TryParse(body[(dot + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int p) ? p : null;
        string text = conversion switch
        {
            's' => ValueFormatter.ToStr(value),
            'r' => ValueFormatter.Repr(value),
            'd' or 'i' => ValueOperations.ToInteger(value).ToString(CultureInfo.InvariantCulture),
            'f' or 'F' => ValueOperations.ToDouble(value).ToString("F" + (precision ?? 6), CultureInfo.InvariantCulture),
            'x' => ValueOperations.ToInteger(value).ToString("x", CultureInfo.InvariantCulture),
            'X' => ValueOperations.ToInteger(value).ToString("X", CultureInfo.InvariantCulture),
            _ => throw new TemplateEvaluationException($"unsupported format character '{conversion}'"),
        };

        if (conversion == 's' && precision is int maximum && text.Length > maximum)
        {
            text = text[..maximum];
        }

        return leftAlign ? text.PadRight(width) : text.PadLeft(width, zeroPad && conversion != 's' ? '0' : ' ');
    }
}
