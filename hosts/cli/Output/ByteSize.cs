using System.Globalization;

namespace OffGrid.Cli.Output;

/// <summary>Formats byte counts for people: <c>1.2 GB</c>, <c>640 MB</c>.</summary>
internal static class ByteSize
{
    private static readonly string[] s_units = ["B", "KB", "MB", "GB", "TB"];

    /// <summary>Formats <paramref name="bytes"/> with decimal units (as disk and download sizes are usually shown).</summary>
    public static string Format(long bytes)
    {
        double value = bytes;
        int unit = 0;
        while (Math.Abs(value) >= 1000 && unit < s_units.Length - 1)
        {
            value /= 1000;
            unit++;
        }

        return unit == 0
            ? bytes.ToString(CultureInfo.InvariantCulture) + " B"
            : value.ToString(value < 10 ? "0.0" : "0", CultureInfo.InvariantCulture) + " " + s_units[unit];
    }

    /// <summary>Parses sizes such as <c>500MB</c>, <c>4 GB</c>, <c>1.5G</c> or a plain byte count.</summary>
    /// <exception cref="FormatException">The text is not a size.</exception>
    public static long Parse(string text)
    {
        string s = text.Trim().ToUpperInvariant().Replace(" ", string.Empty, StringComparison.Ordinal);
        if (s.EndsWith('B'))
        {
            s = s[..^1];
        }

        long multiplier = 1;
        if (s.Length > 0 && "KMGT".IndexOf(s[^1], StringComparison.Ordinal) is int index and >= 0)
        {
            multiplier = (long)Math.Pow(1000, index + 1);
            s = s[..^1];
        }

        return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && value >= 0
            ? (long)(value * multiplier)
            : throw new FormatException($"'{text}' is not a size (examples: 500MB, 4GB, 1.5G).");
    }
}
