using System.Text.Json;

namespace OffGrid.Inference.Grammar;

/// <summary>
/// Checks that the keywords of one JSON schema object hold the JSON kinds the specification gives them
/// (JSON Schema 2020-12 Validation §6, Core §10; draft 4 forms where OffGrid reads them), and that no string or
/// property name in the schema is a lone UTF-16 surrogate escape such as <c>"\ud800"</c>, which is not Unicode text.
/// </summary>
/// <remarks>
/// A keyword of the wrong kind (<c>"type": 5</c>, <c>"properties": []</c>, <c>"required": "x"</c>) would otherwise be
/// skipped, loosening the schema, or fail deep inside the builder. Only the object itself is checked; nested schemas
/// are checked when the builder visits them. Stateless and thread-safe.
/// </remarks>
internal static class SchemaShape
{
    private enum Kind
    {
        Schema,
        SchemaMap,
        SchemaArray,
        NonEmptySchemaArray,
        SchemaOrSchemaArray,
        StringArray,
        NonEmptyArray,
        Count,
        Number,
        NumberOrBoolean,
        String,
        Boolean,
        Type,
    }

    private static readonly Dictionary<string, Kind> s_kinds = new(StringComparer.Ordinal)
    {
        ["type"] = Kind.Type,
        ["properties"] = Kind.SchemaMap,
        ["$defs"] = Kind.SchemaMap,
        ["definitions"] = Kind.SchemaMap,
        ["additionalProperties"] = Kind.Schema,
        ["additionalItems"] = Kind.Schema,
        ["items"] = Kind.SchemaOrSchemaArray,
        ["prefixItems"] = Kind.SchemaArray,
        ["allOf"] = Kind.NonEmptySchemaArray,
        ["anyOf"] = Kind.NonEmptySchemaArray,
        ["oneOf"] = Kind.NonEmptySchemaArray,
        ["required"] = Kind.StringArray,
        ["enum"] = Kind.NonEmptyArray,
        ["minLength"] = Kind.Count,
        ["maxLength"] = Kind.Count,
        ["minItems"] = Kind.Count,
        ["maxItems"] = Kind.Count,
        ["minProperties"] = Kind.Count,
        ["maxProperties"] = Kind.Count,
        ["minimum"] = Kind.Number,
        ["maximum"] = Kind.Number,
        ["multipleOf"] = Kind.Number,
        ["exclusiveMinimum"] = Kind.NumberOrBoolean,
        ["exclusiveMaximum"] = Kind.NumberOrBoolean,
        ["pattern"] = Kind.String,
        ["format"] = Kind.String,
        ["$ref"] = Kind.String,
        ["nullable"] = Kind.Boolean,
        ["uniqueItems"] = Kind.Boolean,
    };

    /// <summary>Checks the keywords of <paramref name="schema"/> (an object) found at <paramref name="path"/>.</summary>
    /// <exception cref="UnsupportedSchemaException">A keyword holds the wrong kind of value, or a string is not Unicode text.</exception>
    public static void Check(JsonElement schema, string path)
    {
        foreach (JsonProperty keyword in schema.EnumerateObject())
        {
            string name = ReadName(keyword, "properties", path);
            Kind? kind = s_kinds.TryGetValue(name, out Kind known) ? known : null;
            if (kind is { } k && Describe(k, keyword.Value) is { } expected)
            {
                throw new UnsupportedSchemaException(name, path, $"'{name}' must be {expected}, not {Article(keyword.Value)}.");
            }

            switch (kind)
            {
                case Kind.SchemaMap:
                    foreach (JsonProperty entry in keyword.Value.EnumerateObject())
                    {
                        ReadName(entry, name, path);
                    }

                    break;
                case Kind.Schema or Kind.SchemaArray or Kind.NonEmptySchemaArray or Kind.SchemaOrSchemaArray:
                    break;
                default:
                    CheckText(keyword.Value, name, path);
                    break;
            }
        }
    }

    // What the value should be, or null when it is that.
    private static string? Describe(Kind kind, JsonElement value) => kind switch
    {
        Kind.Schema => IsSchema(value) ? null : "a schema (an object or a boolean)",
        Kind.SchemaMap => value.ValueKind != JsonValueKind.Object ? "an object of schemas"
            : value.EnumerateObject().All(p => IsSchema(p.Value)) ? null : "an object whose every value is a schema (an object or a boolean)",
        Kind.SchemaArray => IsArrayOf(value, IsSchema) ? null : "an array of schemas",
        Kind.NonEmptySchemaArray => IsArrayOf(value, IsSchema) && value.GetArrayLength() > 0 ? null : "a non-empty array of schemas",
        Kind.SchemaOrSchemaArray => IsSchema(value) || IsArrayOf(value, IsSchema) ? null : "a schema (an object or a boolean) or an array of schemas",
        Kind.StringArray => IsArrayOf(value, e => e.ValueKind == JsonValueKind.String) ? null : "an array of strings",
        Kind.NonEmptyArray => value.ValueKind == JsonValueKind.Array && value.GetArrayLength() > 0 ? null : "a non-empty array",
        Kind.Count => value.ValueKind == JsonValueKind.Number && IsWholeNonNegative(value) ? null : "a non-negative integer",
        Kind.Number => value.ValueKind == JsonValueKind.Number ? null : "a number",
        Kind.NumberOrBoolean => value.ValueKind is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False ? null : "a number",
        Kind.String => value.ValueKind == JsonValueKind.String ? null : "a string",
        Kind.Boolean => value.ValueKind is JsonValueKind.True or JsonValueKind.False ? null : "a boolean",
        Kind.Type => value.ValueKind == JsonValueKind.String || (IsArrayOf(value, e => e.ValueKind == JsonValueKind.String) && value.GetArrayLength() > 0)
            ? null : "a string or an array of strings naming JSON types",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    private static bool IsSchema(JsonElement value) => value.ValueKind is JsonValueKind.Object or JsonValueKind.True or JsonValueKind.False;

    private static bool IsArrayOf(JsonElement value, Func<JsonElement, bool> predicate) =>
        value.ValueKind == JsonValueKind.Array && value.EnumerateArray().All(predicate);

    // 1e300 counts: JSON Schema allows any number with a zero fraction, and the builder bounds it.
    private static bool IsWholeNonNegative(JsonElement value) =>
        value.TryGetDecimal(out decimal d) ? d >= 0 && decimal.Truncate(d) == d : value.GetDouble() is var x && x >= 0 && Math.Floor(x) == x;

    private static string Article(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => value.GetArrayLength() == 0 ? "an empty array" : "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => $"the number {value.GetRawText()}",
        _ => value.GetRawText(),
    };

    // Nested schemas are checked when visited; the text inside other keyword values (enum, const, required, property
    // names) is checked here, because reading a lone surrogate escape throws wherever it is read later.
    private static void CheckText(JsonElement value, string keyword, string path)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                ReadString(value, keyword, path);
                break;
            case JsonValueKind.Array:
                foreach (JsonElement item in value.EnumerateArray())
                {
                    CheckText(item, keyword, path);
                }

                break;
            case JsonValueKind.Object:
                foreach (JsonProperty property in value.EnumerateObject())
                {
                    ReadName(property, keyword, path);
                    CheckText(property.Value, keyword, path);
                }

                break;
        }
    }

    private static string ReadString(JsonElement value, string keyword, string path)
    {
        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw LoneSurrogate(keyword, path);
        }
    }

    private static string ReadName(JsonProperty property, string keyword, string path)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException)
        {
            throw LoneSurrogate(keyword, path);
        }
    }

    private static UnsupportedSchemaException LoneSurrogate(string keyword, string path) =>
        new(keyword, path, $"a string in '{keyword}' holds a lone UTF-16 surrogate escape (such as \\ud800), which is not a Unicode character.");
}
