using System.Globalization;
using System.Text;

namespace OffGrid.Inference.Templates.Jinja;

/// <summary>C's <c>strftime</c> for <c>strftime_now</c>, including glibc's <c>%-d</c> style no-padding flag.</summary>
internal static class StrftimeFormatter
{
    /// <summary>Formats <paramref name="time"/> with a strftime pattern, in the invariant (English) culture.</summary>
    public static string Format(DateTimeOffset time, string pattern)
    {
        var output = new StringBuilder();
        for (int i = 0; i < pattern.Length; i++)
        {
            if (pattern[i] != '%' || i + 1 >= pattern.Length)
            {
                output.Append(pattern[i]);
                continue;
            }

            bool unpadded = pattern[i + 1] == '-' && i + 2 < pattern.Length;
            char code = pattern[unpadded ? i + 2 : i + 1];
            i += unpadded ? 2 : 1;
            output.Append(code switch
            {
                'Y' => time.Year.ToString(CultureInfo.InvariantCulture),
                'y' => Number(time.Year % 100, unpadded),
                'm' => Number(time.Month, unpadded),
                'd' => Number(time.Day, unpadded),
                'e' => time.Day.ToString(CultureInfo.InvariantCulture).PadLeft(2),
                'H' => Number(time.Hour, unpadded),
                'I' => Number(time.Hour % 12 == 0 ? 12 : time.Hour % 12, unpadded),
                'M' => Number(time.Minute, unpadded),
                'S' => Number(time.Second, unpadded),
                'p' => time.Hour < 12 ? "AM" : "PM",
                'B' => time.ToString("MMMM", CultureInfo.InvariantCulture),
                'b' or 'h' => time.ToString("MMM", CultureInfo.InvariantCulture),
                'A' => time.ToString("dddd", CultureInfo.InvariantCulture),
                'a' => time.ToString("ddd", CultureInfo.InvariantCulture),
                'j' => unpadded ? time.DayOfYear.ToString(CultureInfo.InvariantCulture) : time.DayOfYear.ToString("000", CultureInfo.InvariantCulture),
                'z' => time.ToString("zzz", CultureInfo.InvariantCulture).Replace(":", string.Empty, StringComparison.Ordinal),
                '%' => "%",
                _ => "%" + code,
            });
        }

        return output.ToString();
    }

    private static string Number(int value, bool unpadded) =>
        value.ToString(unpadded ? "0" : "00", CultureInfo.InvariantCulture);
}
