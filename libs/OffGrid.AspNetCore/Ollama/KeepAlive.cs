using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using OffGrid.AspNetCore.Http;

namespace OffGrid.AspNetCore.Ollama;

/// <summary>Reads Ollama's <c>keep_alive</c>: seconds as a number, or a Go duration such as <c>"5m"</c> or <c>"1h30m"</c>; negative keeps the model loaded.</summary>
internal static partial class KeepAlive
{
    // Longer than this (a century) is as good as forever, and TimeSpan could not hold much more.
    private const double MaxSeconds = 100.0 * 365 * 24 * 3600;

    /// <summary>Keeps a model loaded until it is evicted (the pool's convention for "forever").</summary>
    public static readonly TimeSpan Forever = TimeSpan.FromSeconds(-1);

    /// <exception cref="ApiException">400 when the value is neither, or not a finite number.</exception>
    public static TimeSpan? Read(JsonElement? value)
    {
        double? seconds = value switch
        {
            null or { ValueKind: JsonValueKind.Null } => null,
            { ValueKind: JsonValueKind.Number } n when n.TryGetDouble(out double number) => number,
            { ValueKind: JsonValueKind.String } s => ParseSeconds(s.GetString()!),
            _ => throw Invalid(),
        };
        return seconds switch
        {
            null => null,
            double.NaN or double.PositiveInfinity or double.NegativeInfinity => throw Invalid(),
            < 0 => Forever,
            > MaxSeconds => Forever,
            double finite => TimeSpan.FromSeconds(finite),
        };
    }

    private static double ParseSeconds(string text)
    {
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds))
        {
            return seconds;
        }

        Match match = GoDuration().Match(text.Trim());
        if (!match.Success || match.Groups["part"].Captures.Count == 0)
        {
            throw Invalid();
        }

        double total = 0;
        for (int i = 0; i < match.Groups["part"].Captures.Count; i++)
        {
            double amount = double.Parse(match.Groups["amount"].Captures[i].Value, CultureInfo.InvariantCulture);
            total += amount * match.Groups["unit"].Captures[i].Value switch
            {
                "ns" => 1e-9,
                "us" or "µs" => 1e-6,
                "ms" => 1e-3,
                "s" => 1,
                "m" => 60,
                _ => 3600,
            };
        }

        return match.Groups["sign"].Value == "-" ? -total : total;
    }

    private static ApiException Invalid() =>
        ApiException.BadRequest("'keep_alive' must be a number of seconds or a duration such as \"5m\" or \"1h30m\"; negative keeps the model loaded.", "keep_alive");

    [GeneratedRegex(@"^(?<sign>[-+]?)(?<part>(?<amount>\d+(?:\.\d+)?)(?<unit>ns|us|µs|ms|s|m|h))+$")]
    private static partial Regex GoDuration();
}
