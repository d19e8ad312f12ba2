using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;
using OffGrid.AspNetCore.Http;

namespace OffGrid.AspNetCore.Chat;

/// <summary>A tool offered to the model, in the shape OpenAI and Ollama share: <c>{"type":"function","function":{...}}</c>.</summary>
internal sealed partial class ToolDefinition
{
    public string? Type { get; set; }

    public ToolFunction? Function { get; set; }

    /// <summary>Validates every tool and turns them into declarations for <see cref="ChatOptions.Tools"/>.</summary>
    /// <exception cref="ApiException">400 naming the first invalid tool.</exception>
    public static List<AITool>? ToDeclarations(List<ToolDefinition>? tools)
    {
        if (tools is null || tools.Count == 0)
        {
            return null;
        }

        var declarations = new List<AITool>(tools.Count);
        for (int i = 0; i < tools.Count; i++)
        {
            string param = $"tools[{i}]";
            ToolDefinition tool = tools[i] ?? throw ApiException.BadRequest("A tool cannot be null.", param);
            if (tool.Type is not null and not "function")
            {
                throw ApiException.BadRequest($"Tool type '{tool.Type}' is not supported; only 'function' tools are.", param + ".type");
            }

            ToolFunction function = tool.Function ?? throw ApiException.BadRequest("A tool needs a 'function' object.", param + ".function");
            if (function.Name is null || !FunctionName().IsMatch(function.Name))
            {
                throw ApiException.BadRequest("A function name must be 1 to 64 letters, digits, '_' or '-'.", param + ".function.name");
            }

            JsonElement schema = function.Parameters ?? EmptyObjectSchema;
            if (schema.ValueKind != JsonValueKind.Object
                || (schema.TryGetProperty("type", out JsonElement type) && !(type.ValueKind == JsonValueKind.String && type.GetString() == "object")))
            {
                throw ApiException.BadRequest("A function's 'parameters' must be a JSON Schema object with \"type\": \"object\".", param + ".function.parameters");
            }

            if (schema.TryGetProperty("properties", out JsonElement properties) && properties.ValueKind != JsonValueKind.Object)
            {
                throw ApiException.BadRequest("A function schema's 'properties' must be an object.", param + ".function.parameters.properties");
            }

            declarations.Add(AIFunctionFactory.CreateDeclaration(function.Name, function.Description, schema));
        }

        if (declarations.Select(d => d.Name).Distinct(StringComparer.Ordinal).Count() != declarations.Count)
        {
            throw ApiException.BadRequest("Tool names must be unique.", "tools");
        }

        return declarations;
    }

    private static JsonElement EmptyObjectSchema { get; } = JsonDocument.Parse("""{"type":"object","properties":{}}""").RootElement;

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex FunctionName();

    /// <summary>The function part of a tool.</summary>
    internal sealed class ToolFunction
    {
        public string? Name { get; set; }

        public string? Description { get; set; }

        public JsonElement? Parameters { get; set; }

        public bool? Strict { get; set; }
    }
}
