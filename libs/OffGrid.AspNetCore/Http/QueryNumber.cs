using System.Globalization;

namespace OffGrid.AspNetCore.Http;

/// <summary>Reads whole numbers from a query string, with a 400 naming the parameter (and setting <c>param</c>) when one does not fit.</summary>
internal static class QueryNumber
{
    /// <summary>Reads <paramref name="name"/>: <see langword="null"/> when absent or empty, else a whole number from <paramref name="min"/> to <paramref name="max"/>.</summary>
    /// <exception cref="ApiException">400: the value is not a whole number in range.</exception>
    public static long? Read(HttpRequest request, string name, long min, long max)
    {
        string text = request.Query[name].ToString();
        if (text.Length == 0)
        {
            return null;
        }

        string range = (min, max) switch
        {
            (long.MinValue, long.MaxValue) => "",
            (_, long.MaxValue) => $" of at least {min}",
            _ => $" from {min} to {max}",
        };
        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value) && value >= min && value <= max
            ? value
            : throw ApiException.BadRequest($"'{name}' must be a whole number{range} (was '{text}').", name);
    }
}
