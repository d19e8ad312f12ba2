using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;
using Microsoft.Extensions.AI;
using OffGrid.Inference;
using OffGrid.Inference.Chat;

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

    /// <summary>
    /// Rejects a sampling value the inference library refuses (<see cref="LlamaChatOptions.ValidateSampling"/>, the one range
    /// check), in the option's own words, before any model loads.
    /// </summary>
    /// <param name="option">The option.</param>
    /// <param name="asOptions">Puts the value where the library reads it, for example <c>t =&gt; new ChatOptions { Temperature = t }</c>.</param>
    public static Option<T?> SamplingSetting<T>(this Option<T?> option, Func<T, ChatOptions> asOptions)
        where T : struct
    {
        option.Validators.Add(result =>
        {
            if (TryGetValue(result, out T? parsed) && parsed is { } value)
            {
                try
                {
                    LlamaChatOptions.ValidateSampling(asOptions(value));
                }
                catch (SamplingRangeException e)
                {
                    result.AddError(string.Create(CultureInfo.InvariantCulture, $"{option.Name} must be {e.Requirement}; {value} is not."));
                }
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
        if (T.IsNaN(value) || value < minimum || (maximum is { } max && value > max))
        {
            string range = maximum is { } upper
                ? string.Create(CultureInfo.InvariantCulture, $"between {minimum} and {upper}")
                : string.Create(CultureInfo.InvariantCulture, $"at least {minimum}");
            result.AddError(string.Create(CultureInfo.InvariantCulture, $"{name} must be {range}; {value} is not."));
        }
    }
}
