namespace OffGrid.Hub.References;

/// <summary>A short model name and the reference it stands for.</summary>
/// <param name="Name">The alias, lower case, for example <c>llama3.2</c>.</param>
/// <param name="Target">What the alias resolves to: a repository (optionally with a quantization) or a repository file.</param>
/// <param name="Description">A one-line description for listings.</param>
public sealed record ModelAlias(string Name, string Target, string? Description = null);
