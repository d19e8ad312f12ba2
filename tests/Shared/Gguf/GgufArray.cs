namespace OffGrid.Testing.Gguf;

/// <summary>An array metadata value: the element type and the elements (boxed, or <see cref="GgufArray"/> for nested arrays).</summary>
internal sealed record GgufArray(GgufMetadataType ElementType, IReadOnlyList<object> Items);
