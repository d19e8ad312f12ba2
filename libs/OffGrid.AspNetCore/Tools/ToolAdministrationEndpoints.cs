using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.AI;
using OffGrid.Agents;
using OffGrid.Agents.Tools;
using OffGrid.AspNetCore.Http;

namespace OffGrid.AspNetCore.Tools;

/// <summary>
/// Changing and running the server's custom tools, for administrators: <c>POST tools</c> (a definition in the shape of its
/// file; <c>?replace=true</c> replaces one of the same name), <c>DELETE tools/{name}</c>, and <c>POST tools/{name}/test</c>
/// (runs the tool once with <c>{"arguments":{…}}</c> and reports its result or error).
/// </summary>
internal static class ToolAdministrationEndpoints
{
    public static async Task<IResult> CreateAsync(HttpRequest request, Toolbox toolbox, bool? replace, CancellationToken cancellationToken)
    {
        string json;
        using (var reader = new StreamReader(request.Body))
        {
            json = await reader.ReadToEndAsync(cancellationToken);
        }

        ToolDefinition definition = ToolDefinition.Parse(json);
        await toolbox.Definitions.SaveAsync(definition, replace ?? false, cancellationToken);
        return ToolsEndpoints.Definition(definition, StatusCodes.Status201Created);
    }

    public static IResult Delete(string name, Toolbox toolbox)
    {
        toolbox.Definitions.Remove(name);
        return Results.Json(new { id = name, @object = "tool", deleted = true }, ServerJson.Options);
    }

    public static async Task<IResult> TestAsync(string name, HttpRequest request, Toolbox toolbox, CancellationToken cancellationToken)
    {
        TestRequest body = request.ContentLength is 0 ? new TestRequest() : await JsonBody.ReadAsync<TestRequest>(request, cancellationToken);
        if (body.Arguments is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null or JsonValueKind.Undefined) })
        {
            throw ApiException.BadRequest("'arguments' must be a JSON object.", "arguments");
        }

        AIFunction tool = toolbox.CreateTool(toolbox.Definitions.Get(name));
        var arguments = new AIFunctionArguments();
        if (body.Arguments is { ValueKind: JsonValueKind.Object } values)
        {
            foreach (JsonProperty property in values.EnumerateObject())
            {
                arguments[property.Name] = property.Value.Clone();
            }
        }

        try
        {
            object? result = await tool.InvokeAsync(arguments, cancellationToken);
            return Results.Json(new { name, @object = "tool_result", result = result?.ToString() }, ServerJson.Options);
        }
        catch (ToolInvocationException ex)
        {
            return Results.Json(new { name, @object = "tool_result", error = ex.Message }, ServerJson.Options);
        }
    }

    /// <summary>The body of <c>POST tools/{name}/test</c>.</summary>
    [JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
    internal sealed class TestRequest
    {
        public JsonElement? Arguments { get; set; }
    }
}
