using System.Text.Json;

namespace OffGrid.Agents.Tools;

/// <summary>The parameters a custom tool declares: a JSON Schema object whose properties are the arguments.</summary>
internal sealed class ToolParameters
{
    private ToolParameters(JsonElement schema, IReadOnlySet<string> names, IReadOnlySet<string> required, IReadOnlySet<string> paths, IReadOnlySet<string> scalars)
    {
        Schema = schema;
        Names = names;
        Required = required;
        Paths = paths;
        Scalars = scalars;
    }

    public JsonElement Schema { get; }

    public IReadOnlySet<string> Names { get; }

    public IReadOnlySet<string> Required { get; }

    /// <summary>Arguments declared with <c>"format": "path"</c>: confined to the tool's working folder.</summary>
    public IReadOnlySet<string> Paths { get; }

    /// <summary>Arguments declared as string, number, integer or boolean.</summary>
    public IReadOnlySet<string> Scalars { get; }

    /// <exception cref="ToolDefinitionException">The schema is not an object schema with named properties.</exception>
    public static ToolParameters Parse(JsonElement? schema)
    {
        JsonElement value = schema ?? JsonDocument.Parse("""{"type":"object","properties":{}}""").RootElement;
        if (value.ValueKind != JsonValueKind.Object
            || (value.TryGetProperty("type", out JsonElement type) && !(type.ValueKind == JsonValueKind.String && type.GetString() == "object")))
        {
            throw new ToolDefinitionException("'parameters' must be a JSON Schema object with \"type\": \"object\".", "parameters");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var paths = new HashSet<string>(StringComparer.Ordinal);
        var scalars = new HashSet<string>(StringComparer.Ordinal);
        if (value.TryGetProperty("properties", out JsonElement properties))
        {
            if (properties.ValueKind != JsonValueKind.Object)
            {
                throw new ToolDefinitionException("'parameters.properties' must be an object.", "parameters.properties");
            }

            foreach (JsonProperty property in properties.EnumerateObject())
            {
                if (property.Name.Length == 0 || !property.Name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
                {
                    throw new ToolDefinitionException($"Argument name '{property.Name}' must be letters, digits and '_'.", $"parameters.properties.{property.Name}");
                }

                names.Add(property.Name);
                if (property.Value.ValueKind == JsonValueKind.Object)
                {
                    if (property.Value.TryGetProperty("format", out JsonElement format) && format.ValueKind == JsonValueKind.String && format.GetString() == "path")
                    {
                        paths.Add(property.Name);
                    }

                    if (property.Value.TryGetProperty("type", out JsonElement propertyType) && propertyType.ValueKind == JsonValueKind.String
                        && propertyType.GetString() is "string" or "number" or "integer" or "boolean")
                    {
                        scalars.Add(property.Name);
                    }
                }
            }
        }

        var required = new HashSet<string>(StringComparer.Ordinal);
        if (value.TryGetProperty("required", out JsonElement list))
        {
            if (list.ValueKind != JsonValueKind.Array || list.EnumerateArray().Any(r => r.ValueKind != JsonValueKind.String || !names.Contains(r.GetString()!)))
            {
                throw new ToolDefinitionException("'parameters.required' must list names of declared properties.", "parameters.required");
            }

            required.UnionWith(list.EnumerateArray().Select(r => r.GetString()!));
        }

        return new ToolParameters(value.Clone(), names, required, paths, scalars);
    }

    /// <exception cref="ToolDefinitionException">The template uses an argument that is not declared.</exception>
    public void CheckPlaceholders(ArgumentTemplate template, string field)
    {
        foreach (string name in template.Placeholders.Where(n => !Names.Contains(n)))
        {
            throw new ToolDefinitionException($"'{template.Text}' uses {{{name}}}, which is not a declared parameter.", field);
        }
    }
}
