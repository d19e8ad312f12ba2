using System.Collections;
using System.ComponentModel;
using System.Globalization;
using System.Reflection;

namespace OffGrid.AspNetCore.Hosting;

/// <summary>
/// Checks the raw values of a configuration section against the options type it binds to, before binding: a value the
/// configuration binder cannot convert makes it throw with the .NET type's full name (<c>OffGrid.AspNetCore.ModelIsolation</c>)
/// and no valid values, or — inside a dictionary such as <c>Server:Backends</c> — drops the whole entry without a word. Here
/// each bad value is one sentence naming the setting, the value and what it accepts.
/// </summary>
/// <remarks>Converts as the binder does (the type's <see cref="TypeConverter"/>, invariant culture). Keys no property matches are left alone. Thread-safe.</remarks>
internal static class ConfigurationValues
{
    /// <summary>The values of <paramref name="section"/> (and below it) that cannot be bound to <paramref name="type"/>.</summary>
    /// <param name="section">The section, such as <c>Server</c>.</param>
    /// <param name="type">The options type it binds to.</param>
    /// <returns>One sentence per bad value, each starting with the setting's full key.</returns>
    public static IEnumerable<string> Check(IConfigurationSection section, Type type)
    {
        foreach (IConfigurationSection child in section.GetChildren())
        {
            PropertyInfo? property = type.GetProperty(child.Key, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            if (property is not null)
            {
                foreach (string error in CheckValue(child, property.PropertyType))
                {
                    yield return error;
                }
            }
        }
    }

    private static IEnumerable<string> CheckValue(IConfigurationSection section, Type type)
    {
        Type? nullable = Nullable.GetUnderlyingType(type);
        Type target = nullable ?? type;
        if (IsScalar(target))
        {
            if (section.Value is not { } value || target == typeof(string) || (nullable is not null && value.Length == 0))
            {
                return [];
            }

            return Converts(target, value) ? [] : [$"{section.Path} is '{value}': expected {Expected(target)}."];
        }

        if (target.IsGenericType && target.GetGenericTypeDefinition() == typeof(Dictionary<,>))
        {
            Type values = target.GetGenericArguments()[1];
            return section.GetChildren().SelectMany(entry => CheckValue(entry, values));
        }

        Type? element = target.IsArray ? target.GetElementType()
            : target.IsGenericType && typeof(IEnumerable).IsAssignableFrom(target) ? target.GetGenericArguments()[0]
            : null;
        return element is not null ? section.GetChildren().SelectMany(item => CheckValue(item, element)) : Check(section, target);
    }

    private static bool IsScalar(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan) || type == typeof(Uri) || type == typeof(DateTimeOffset);

    private static bool Converts(Type type, string value)
    {
        if (value.Length == 0)
        {
            return false;
        }

        try
        {
            TypeDescriptor.GetConverter(type).ConvertFromInvariantString(value);
            return true;
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or NotSupportedException or OverflowException)
        {
            return false;
        }
    }

    private static string Expected(Type type) => type switch
    {
        { IsEnum: true } when Enum.GetNames(type) is [.. var first, var last] && first.Length > 0 => string.Join(", ", first) + " or " + last,
        { IsEnum: true } => string.Join(", ", Enum.GetNames(type)),
        _ when type == typeof(TimeSpan) => "a duration such as 00:00:30 (hh:mm:ss) or 1.00:00:00 (days)",
        _ when type == typeof(bool) => "true or false",
        _ when type == typeof(int) || type == typeof(long) || type == typeof(short) => "a whole number",
        _ when type == typeof(uint) || type == typeof(ulong) || type == typeof(ushort) || type == typeof(byte) => "a whole number, 0 or more",
        _ when type == typeof(Uri) => "an absolute address",
        _ => "a number",
    };
}
