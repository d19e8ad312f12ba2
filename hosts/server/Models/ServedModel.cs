namespace OffGrid.Server.Models;

/// <summary>A model the server can serve: the name clients use and the GGUF file behind it.</summary>
/// <param name="Name">The name in API requests and listings.</param>
/// <param name="Path">The full path of the GGUF file.</param>
internal sealed record ServedModel(string Name, string Path);
