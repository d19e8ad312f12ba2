using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;

namespace OffGrid.Cli.Commands;

/// <summary>
/// Range checks for option values, run while the command line is parsed: a value out of range is a usage error (one
/// plain sentence, exit code 2) before any work starts, never an exception from deep inside a library.
/// </summary>
internal static class OptionRules
{
    /// <summary>Rejects values below <paramref name="minimum"/> or above <paramref name="maximum"/> (when given).</summary>
    public static Option<T> Between<T>(this Option<T> option, T minimum, T? maximum = null)
        where T : struct, INumber<T>
    {
        option.Validators.Add(result =>
        {
            if (TryGetValue(result, out T value))
            {
                Check(result, option.Name, value, minimum, maximum);
            }
        });
        return option;
    }

    /// <summary>Rejects values below <paramref name="minimum"/> or above <paramref name="maximum"/> (when given); no value is fine.</summary>
    public static Option<T?> Between<T>(this Option<T?> option, T minimum, T? maximum = null)
        where T : struct, INumber<T>
    {
        option.Validators.Add(result =>
        {
            if (TryGetValue(result, out T? parsed) && parsed is { } value)
            {
                Check(result, option.Name, value, minimum, maximum);
            }
        });
        return option;
    }

    /// <summary>Rejects a value for which <paramref name="problem"/> returns a sentence saying what is wrong with it.</summary>
    public static Option<T> Must<T>(this Option<T> option, Func<T, string?> problem)
    {
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && TryGetValue(result, out T value) && value is not null && problem(value) is { } message)
            {
                result.AddError(message);
            }
        });
        return option;
    }

    /// <summary>Reads the option's value; <see langword="false"/> when it did not convert (that error is reported on its own).</summary>
    private static bool TryGetValue<T>(OptionResult result, out T value)
    {
        try
        {
            value = result.GetValueOrDefault<T>();
            return true;
        }
        catch (InvalidOperationException)
        {
            value = default!;
            return false;
        }
    }

    private static void Check<T>(OptionResult result, string name, T value, T minimum, T? maximum)
        where T : struct, INumber<T>
    {
        if (value < minimum || (maximum is { } max && value > max))
        {
            string range = maximum is { } upper
                ? string.Create(CultureInfo.InvariantCulture, $"between {minimum} and {upper}")
                : string.Create(CultureInfo.InvariantCulture, $"at least {minimum}");
            result.AddError(string.Create(CultureInfo.InvariantCulture, $"{name} must be {range}; {value} is not."));
        }
    }
}
