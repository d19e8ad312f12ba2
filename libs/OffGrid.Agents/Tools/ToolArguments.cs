using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace OffGrid.Agents.Tools;

/// <summary>The arguments of one call of a custom tool, checked against the tool's declared parameters.</summary>
internal sealed class ToolArguments
{
    private readonly string _toolName;
    private readonly Dictionary<string, JsonElement> _values = new(StringComparer.Ordinal);

    /// <exception cref="ToolInvocationException">A required argument is missing, or an argument is not declared.</exception>
    public ToolArguments(string toolName, ToolParameters parameters, AIFunctionArguments arguments)
    {
        _toolName = toolName;
        foreach ((string name, object? value) in arguments)
        {
            if (!parameters.Names.Contains(name))
            {
                throw new ToolInvocationException(toolName, $"'{toolName}' has no argument '{name}'; it takes {Describe(parameters.Names)}.");
            }

            JsonElement element = value is JsonElement json ? json : JsonSerializer.SerializeToElement(value, AIJsonUtilities.DefaultOptions);
            if (element.ValueKind != JsonValueKind.Null)
            {
                _values[name] = element;
            }
        }

        foreach (string required in parameters.Required.Where(r => !_values.ContainsKey(r)))
        {
            throw new ToolInvocationException(toolName, $"'{toolName}' needs the argument '{required}'.");
        }
    }

    public bool Has(string name) => _values.ContainsKey(name);

    /// <summary>The argument as text (numbers and booleans as JSON writes them); empty when absent.</summary>
    /// <exception cref="ToolInvocationException">The argument is an object or array, or holds a NUL character.</exception>
    public string Text(string name)
    {
        if (!_values.TryGetValue(name, out JsonElement value))
        {
            return string.Empty;
        }

        string text = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString()!,
            JsonValueKind.Number => value.GetRawText(),
            JsonValueKind.True or JsonValueKind.False => value.GetBoolean() ? "true" : "false",
            _ => throw new ToolInvocationException(_toolName, $"'{_toolName}': argument '{name}' must be a string, number or boolean, not {value.ValueKind.ToString().ToLower(CultureInfo.InvariantCulture)}."),
        };
        return text.Contains('\0', StringComparison.Ordinal)
            ? throw new ToolInvocationException(_toolName, $"'{_toolName}': argument '{name}' contains a NUL character.")
            : text;
    }

    /// <summary>The argument as JSON, or <see langword="null"/> when absent.</summary>
    public JsonElement? Json(string name) => _values.TryGetValue(name, out JsonElement value) ? value : null;

    private static string Describe(IReadOnlySet<string> names) => names.Count == 0 ? "none" : string.Join(", ", names.Order(StringComparer.Ordinal));
}
