using Microsoft.Extensions.AI;
using OffGrid.AspNetCore.Http;

namespace OffGrid.AspNetCore.Ollama;

/// <summary>Builds Ollama's JSON shapes that are not a generation chunk.</summary>
internal static class OllamaShapes
{
    /// <summary>Ollama's error body: <c>{"error":"..."}</c>.</summary>
    public static object Error(ApiError error) => new { error = error.Message };

    /// <summary>Tool calls as Ollama sends them: arguments as a JSON object, no ids.</summary>
    public static IReadOnlyList<object> ToolCalls(IEnumerable<FunctionCallContent> calls) =>
        [.. calls.Select(call => new { function = new { name = call.Name, arguments = call.Arguments ?? new Dictionary<string, object?>() } })];
}
