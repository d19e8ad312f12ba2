namespace OffGrid.Agents.Tools;

/// <summary>A tool definition file: the definition when it is valid, else why it is not.</summary>
/// <param name="Name">The tool's name (the file's name without <c>.json</c>).</param>
/// <param name="Path">The file.</param>
/// <param name="Definition">The valid definition, or <see langword="null"/>.</param>
/// <param name="Error">What is wrong with the file, when something is.</param>
public sealed record StoredTool(string Name, string Path, ToolDefinition? Definition, string? Error);
