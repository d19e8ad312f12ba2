using System.Globalization;
using System.Text;

namespace OffGrid.Inference.Templates.Jinja;

/// <summary>Python's <c>str.format</c>: <c>{}</c>, <c>{0}</c>, <c>{name}</c>, <c>!r</c>/<c>!s</c> and simple format specs.</summary>
internal static class PythonStringFormat
{
    /// <summary>Formats <paramref name="template"/> with <paramref name="arguments"/>.</summary>
    public static string Format(string template, CallArguments arguments)
    {
        var output = new StringBuilder();
        int automatic = 0;
        for (int i = 0; i < template.Length; i++)
        {
            char c = template[i];
            if ((c == '{' || c == '}') && i + 1 < template.Length && template[i + 1] == c)
            {
                output.Append(c);
                i++;
                continue;
            }

            if (c != '{')
            {
                output.Append(c);
                continue;
            }

            int close = template.IndexOf('}', i);
            if (close < 0)
            {
                throw new TemplateEvaluationException("Single '{' encountered in format string");
            }

            output.Append(FormatField(template[(i + 1)..close], arguments, ref automatic));
            i = close;
        }

        return output.ToString();
    }

    private static string FormatField(string field, CallArguments arguments, ref int automatic)
    {
        int colon = field.IndexOf(':', StringComparison.Ordinal);
        string spec = colon >= 0 ? field[(colon + 1)..] : string.Empty;
        string reference = colon >= 0 ? field[..colon] : field;
        int bang = reference.IndexOf('!', StringComparison.Ordinal);
        char conversion = bang >= 0 && bang + 1 < reference.Length ? reference[bang + 1] : 's';
        string name = bang >= 0 ? reference[..bang] : reference;

        object? value;
        if (name.Length == 0)
        {
            value = Positional(arguments, automatic++);
        }
        else if (int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out int index))
        {
            value = Positional(arguments, index);
        }
        else
        {
            string[] path = name.Split('.');
            value = arguments.TryGet(-1, path[0], out object? named) ? named : throw new TemplateEvaluationException($"KeyError: '{path[0]}'");
            foreach (string attribute in path.Skip(1))
            {
                value = MemberAccess.GetAttribute(value, attribute);
            }
        }

        return ApplySpec(value, spec, conversion == 'r');
    }

    private static object? Positional(CallArguments arguments, int index) =>
        index < arguments.Positional.Count
            ? arguments.Positional[index]
            : throw new TemplateEvaluationException($"Replacement index {index} out of range for positional args tuple");

    /// <summary>Applies <c>[[fill]align][0][width][.precision][type]</c>.</summary>
    private static string ApplySpec(object? value, string spec, bool repr)
    {
        int i = 0;
        char fill = ' ';
        char align = value is long or double ? '>' : '<';
        if (spec.Length >= 2 && spec[1] is '<' or '>' or '^')
        {
            fill = spec[0];
            align = spec[1];
            i = 2;
        }
        else if (spec.Length >= 1 && spec[0] is '<' or '>' or '^')
        {
            align = spec[0];
            i = 1;
        }

        if (i < spec.Length && spec[i] == '0')
        {
            fill = '0';
            align = '>';
            i++;
        }

        int widthStart = i;
        while (i < spec.Length && char.IsAsciiDigit(spec[i]))
        {
            i++;
        }

        int width = i > widthStart ? int.Parse(spec.AsSpan(widthStart, i - widthStart), CultureInfo.InvariantCulture) : 0;
        int? precision = null;
        if (i < spec.Length && spec[i] == '.')
        {
            int precisionStart = ++i;
            while (i < spec.Length && char.IsAsciiDigit(spec[i]))
            {
                i++;
            }

            precision = int.Parse(spec.AsSpan(precisionStart, i - precisionStart), CultureInfo.InvariantCulture);
        }

        char type = i < spec.Length ? spec[i] : '\0';
        string text = type switch
        {
            'f' or 'F' => ValueOperations.ToDouble(value).ToString("F" + (precision ?? 6), CultureInfo.InvariantCulture),
            'd' => ValueOperations.ToInteger(value).ToString(CultureInfo.InvariantCulture),
            _ when repr => ValueFormatter.Repr(value),
            _ => ValueFormatter.ToStr(value),
        };

        if (type is 's' or '\0' && precision is int maximum && text.Length > maximum && value is string)
        {
            text = text[..maximum];
        }

        int padding = Math.Max(0, width - text.Length);
        return align switch
        {
            '>' => new string(fill, padding) + text,
            '^' => new string(fill, padding / 2) + text + new string(fill, padding - (padding / 2)),
            _ => text + new string(fill, padding),
        };
    }
}
