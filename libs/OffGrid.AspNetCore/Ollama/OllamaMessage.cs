namespace OffGrid.AspNetCore.Ollama;

/// <summary>An assistant message in an Ollama chat response; tool-call arguments are JSON objects, reasoning is <c>thinking</c>.</summary>
internal sealed record OllamaMessage(string Role, string Content, IReadOnlyList<object>? ToolCalls = null, string? Thinking = null);
