using System.Globalization;
using System.Text;

namespace OffGrid.Inference.Grammar;

/// <summary>
/// Writes a GBNF expression matching exactly the integers of a closed range, in JSON notation
/// (no leading zeros, <c>-</c> for negatives), by splitting the range into digit patterns.
/// </summary>
internal static class IntegerRangeGrammar
{
    // 18 digits keep every bound inside a long.
    private const int MaxSupportedDigits = 18;

    /// <summary>
    /// The expression for integers in [<paramref name="minimum"/>, <paramref name="maximum"/>]; a missing bound
    /// becomes the largest magnitude with <paramref name="maxDigits"/> digits, so the expression is always finite.
    /// </summary>
    public static string Expression(long? minimum, long? maximum, int maxDigits)
    {
        long cap = Pow10(Math.Clamp(maxDigits, 1, MaxSupportedDigits)) - 1;
        long low = Math.Max(minimum ?? -cap, -(Pow10(MaxSupportedDigits) - 1));
        long high = Math.Min(maximum ?? cap, Pow10(MaxSupportedDigits) - 1);
        if (low > high)
        {
            throw new ArgumentException($"The integer range [{minimum}, {maximum}] is empty.");
        }

        var alternatives = new List<string>();
        if (low < 0)
        {
            // Magnitudes of the negative part, written after a minus sign.
            long fromMagnitude = high < 0 ? -high : 1;
            alternatives.Add("\"-\" (" + string.Join(" | ", NonNegative(fromMagnitude, -low)) + ")");
        }

        if (high >= 0)
        {
            alternatives.AddRange(NonNegative(Math.Max(low, 0), high));
        }

        return alternatives.Count == 1 ? alternatives[0] : "(" + string.Join(" | ", alternatives) + ")";
    }

    private static List<string> NonNegative(long from, long to)
    {
        var result = new List<string>();
        int fromDigits = DigitCount(from);
        int toDigits = DigitCount(to);
        for (int digits = fromDigits; digits <= toDigits; digits++)
        {
            long lengthLow = digits == 1 ? 0 : Pow10(digits - 1);
            long lengthHigh = Pow10(digits) - 1;
            string low = Math.Max(from, lengthLow).ToString(CultureInfo.InvariantCulture);
            string high = Math.Min(to, lengthHigh).ToString(CultureInfo.InvariantCulture);
            SameLength(low, high, string.Empty, result);
        }

        return result;
    }

    // Appends sequences matching every number string between low and high (equal lengths), each prefixed by prefix.
    private static void SameLength(string low, string high, string prefix, List<string> result)
    {
        if (low.Length == 0)
        {
            result.Add(prefix.Trim());
            return;
        }

        if (low[0] == high[0])
        {
            SameLength(low[1..], high[1..], prefix + " \"" + low[0] + "\"", result);
            return;
        }

        string lowRest = low[1..];
        string highRest = high[1..];
        bool lowRestIsMinimal = lowRest.All(c => c == '0');
        bool highRestIsMaximal = highRest.All(c => c == '9');
        char firstFull = lowRestIsMinimal ? low[0] : (char)(low[0] + 1);
        char lastFull = highRestIsMaximal ? high[0] : (char)(high[0] - 1);

        if (!lowRestIsMinimal)
        {
            SameLength(lowRest, new string('9', lowRest.Length), prefix + " \"" + low[0] + "\"", result);
        }

        if (firstFull <= lastFull)
        {
            var sb = new StringBuilder(prefix).Append(" [").Append(firstFull);
            if (lastFull != firstFull)
            {
                sb.Append('-').Append(lastFull);
            }

            sb.Append(']');
            if (lowRest.Length > 0)
            {
                sb.Append(" [0-9]{").Append(lowRest.Length.ToString(CultureInfo.InvariantCulture)).Append('}');
            }

            result.Add(sb.ToString().Trim());
        }

        if (!highRestIsMaximal)
        {
            SameLength(new string('0', highRest.Length), highRest, prefix + " \"" + high[0] + "\"", result);
        }
    }

    private static int DigitCount(long value) => value.ToString(CultureInfo.InvariantCulture).Length;

    private static long Pow10(int exponent)
    {
        long result = 1;
        for (int i = 0; i < exponent; i++)
        {
            result *= 10;
        }

        return result;
    }
}
