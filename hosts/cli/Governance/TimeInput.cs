using System.CommandLine;
using System.Globalization;

namespace OffGrid.Cli.Governance;

/// <summary>
/// Times typed on the command line: a span (<c>90m</c>, <c>12h</c>, <c>30d</c>, <c>2w</c>) counted from now, or a date or time
/// (<c>2026-12-31</c>, <c>2026-12-31T18:00</c>, UTC unless an offset is given).
/// </summary>
internal static class TimeInput
{
    /// <summary>Parses <paramref name="text"/>; a span is added to <paramref name="now"/> times <paramref name="direction"/> (1 ahead, -1 back).</summary>
    public static bool TryParse(string text, DateTimeOffset now, int direction, out DateTimeOffset time)
    {
        time = default;
        if (text.Length >= 2 && long.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out long amount) && amount > 0)
        {
            TimeSpan? unit = char.ToLowerInvariant(text[^1]) switch
            {
                'm' => TimeSpan.FromMinutes(1),
                'h' => TimeSpan.FromHours(1),
                'd' => TimeSpan.FromDays(1),
                'w' => TimeSpan.FromDays(7),
                _ => null,
            };
            if (unit is { } step && amount <= 100_000)
            {
                time = now + (step * amount * direction);
                return true;
            }
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);
    }

    /// <summary>An option taking a time; a span counts from now <paramref name="direction"/> (1 ahead, -1 back). A bad value is a usage error.</summary>
    public static Option<DateTimeOffset?> Option(string name, string description, int direction) => new(name)
    {
        Description = description + " (a span such as 30d, 12h or 90m, or a date such as 2026-12-31, UTC).",
        CustomParser = result =>
        {
            string text = result.Tokens.Single().Value;
            if (TryParse(text, DateTimeOffset.UtcNow, direction, out DateTimeOffset time))
            {
                return time;
            }

            result.AddError($"'{text}' is not a time: use a span such as 30d, 12h or 90m, or a date such as 2026-12-31.");
            return null;
        },
    };
}
