using System.Collections;
using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using OffGrid.Hub.Gguf;
using OffGrid.Inference.Engine;

namespace OffGrid.AspNetCore.Hosting;

/// <summary>
/// Checks a configuration section against the options type it binds to, before binding: a key no property matches
/// (<c>Server:Pool:Engnie:ContextSize</c>) would be ignored without a word, and a value the configuration binder cannot
/// convert makes it throw with the .NET type's full name (<c>OffGrid.AspNetCore.ModelIsolation</c>) and no valid values, or —
/// inside a dictionary such as <c>Server:Backends</c> — drops the whole entry without a word. Here each is one sentence
/// naming the setting: an unknown key with the closest known one ("did you mean"), a bad value with what it accepts.
/// </summary>
/// <remarks>
/// Matches keys and converts values as the binder does (properties by name ignoring case, the type's
/// <see cref="TypeConverter"/>, invariant culture); the keys of dictionaries (<c>Server:Models:&lt;name&gt;</c>,
/// <c>Server:Backends:&lt;name&gt;</c>) are the user's own names and any is accepted. The binder's own
/// <see cref="BinderOptions.ErrorOnUnknownConfiguration"/> does not serve here: its message names neither the key's path
/// nor a close name, and it cannot leave <c>Server:Auth</c>, which another options type binds, to that type. Thread-safe.
/// </remarks>
internal static class ConfigurationValues
{
    /// <summary>The keys of <paramref name="section"/> (and below it) that no property of <paramref name="type"/> matches, and the values that cannot be bound to it.</summary>
    /// <param name="section">The section, such as <c>Server</c>.</param>
    /// <param name="type">The options type it binds to.</param>
    /// <param name="boundElsewhere">Keys directly under <paramref name="section"/> that other options bind (<c>Auth</c> under <c>Server</c>).</param>
    /// <returns>One sentence per unknown key or bad value, each starting with the setting's full key.</returns>
    public static IEnumerable<string> Check(IConfigurationSection section, Type type, params string[] boundElsewhere)
    {
        foreach (IConfigurationSection child in section.GetChildren())
        {
            if (boundElsewhere.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            PropertyInfo? property = type.GetProperty(child.Key, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            IEnumerable<string> errors = property is null ? [Unknown(section, child, type)] : CheckValue(child, property.PropertyType);
            foreach (string error in errors)
            {
                yield return error;
            }
        }
    }

    /// <summary>
    /// The first command-line switch whose section is a near miss of one of <paramref name="sections"/>
    /// (<c>--Sever:Port</c>), as a sentence with the switch it was likely meant to be. Only switches are checked: the
    /// environment's variables are top-level keys too, and any name there may belong to something else.
    /// </summary>
    /// <param name="args">The command line.</param>
    /// <param name="sections">The sections the application binds (<c>Server</c>, <c>Hub</c>…).</param>
    /// <returns>The sentence, or <see langword="null"/> when every switch names a known section or none close to one.</returns>
    public static string? CheckSwitchSections(IEnumerable<string> args, IReadOnlyCollection<string> sections)
    {
        foreach (string arg in args.Where(a => a.StartsWith("--", StringComparison.Ordinal) && a.Contains(':', StringComparison.Ordinal)))
        {
            string key = arg.Split('=', 2)[0];
            string section = key[2..key.IndexOf(':', StringComparison.Ordinal)];
            if (!sections.Contains(section, StringComparer.OrdinalIgnoreCase) && NameSuggestion.For(section, sections) is { } closest)
            {
                return $"{key} is not a setting: there is no section '{section}'. Did you mean --{closest}{key[(2 + section.Length)..]}?";
            }
        }

        return null;
    }

    /// <summary>The key the user wrote (its first setting with a value), that it is not one, and the closest known name or the known names.</summary>
    private static string Unknown(IConfigurationSection section, IConfigurationSection child, Type type)
    {
        string written = child.AsEnumerable().Where(pair => pair.Value is not null).Select(pair => pair.Key).Order(StringComparer.Ordinal).FirstOrDefault() ?? child.Path;
        string[] known = [.. type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0).Select(p => p.Name)];
        return NameSuggestion.For(child.Key, known) is { } closest
            ? $"{written} is not a setting: {section.Path} has no '{child.Key}'. Did you mean {section.Path}:{closest}?"
            : $"{written} is not a setting: {section.Path} has no '{child.Key}' (it has {string.Join(", ", known)}).";
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

        if (DictionaryValues(target) is { } values)
        {
            return section.GetChildren().SelectMany(entry => CheckValue(entry, values));
        }

        Type? element = target.IsArray ? target.GetElementType()
            : target.IsGenericType && typeof(IEnumerable).IsAssignableFrom(target) ? target.GetGenericArguments()[0]
            : null;
        return element is not null ? section.GetChildren().SelectMany(item => CheckValue(item, element)) : Check(section, target);
    }

    /// <summary>The value type of a dictionary type (<c>Dictionary&lt;string, T&gt;</c>, <c>IDictionary&lt;string, T&gt;</c>), or <see langword="null"/>.</summary>
    private static Type? DictionaryValues(Type type) =>
        (type.IsInterface ? type.GetInterfaces().Prepend(type) : type.GetInterfaces())
            .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>))?.GetGenericArguments()[1];

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
        // GgmlType is bound only for the KV cache types: llama.cpp's names of the ones it accepts, not every tensor type.
        _ when type == typeof(GgmlType) => "a KV cache type llama.cpp accepts: " + string.Join(", ", LlamaEngineOptions.SupportedCacheTypes.Select(t => t.ToString().ToLowerInvariant())),
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
