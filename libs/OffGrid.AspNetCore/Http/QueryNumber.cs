using System.Globalization;

namespace OffGrid.AspNetCore.Http;

/// <summary>
/// The one rule for numbers that requests pass as parameters: every query-string number (limits, sizes, sequence numbers,
/// status codes) is a count, written as ASCII digits in the invariant culture with no sign, no '+', no separators and no
/// decimals, checked against its range. A value that does not fit is a 400 in OpenAI's error shape whose message names the
/// parameter and the accepted range and whose <c>param</c> is the parameter.
/// </summary>
internal static class QueryNumber
{
    /// <summary>Reads <paramref name="name"/>: <see langword="null"/> when absent or empty, else a whole number from <paramref name="min"/> to <paramref name="max"/>.</summary>
    /// <param name="query">The request's query string.</param>
    /// <param name="name">The parameter, as the API spells it.</param>
    /// <param name="min">The least accepted value; not negative.</param>
    /// <param name="max">The greatest accepted value.</param>
    /// <exception cref="ApiException">400: the value is not a whole number in range.</exception>
    public static long? Read(IQueryCollection query, string name, long min, long max)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegative(min);
        string text = query[name].ToString();
        return text.Length == 0 ? null
            : long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value) && value >= min && value <= max ? value
            : throw OutOfRange(name, min, max, text);
    }

    /// <summary>Checks a number that came in a request body against the same range, with the same 400 as <see cref="Read"/>.</summary>
    /// <returns><paramref name="value"/>.</returns>
    /// <exception cref="ApiException">400: the value is out of range.</exception>
    public static long? Check(string name, long? value, long min, long max) =>
        value is null || (value >= min && value <= max) ? value
        : throw OutOfRange(name, min, max, value.Value.ToString(CultureInfo.InvariantCulture));

    private static ApiException OutOfRange(string name, long min, long max, string text) =>
        ApiException.BadRequest($"'{name}' must be a whole number {(max == long.MaxValue ? $"of at least {min}" : $"from {min} to {max}")} (was '{text}').", name);
}
