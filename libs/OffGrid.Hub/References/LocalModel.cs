using OffGrid.Hub.Store;

namespace OffGrid.Hub.References;

/// <summary>A model on this machine: the name clients use and the GGUF file behind it.</summary>
/// <param name="Name">The name in listings and API responses.</param>
/// <param name="Path">The full path of the GGUF file (the first part of a split model).</param>
/// <param name="Source">Where it was found.</param>
/// <param name="Manifest">The store's manifest when <paramref name="Source"/> is <see cref="LocalModelSource.Store"/>.</param>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed record LocalModel(string Name, string Path, LocalModelSource Source, ModelManifest? Manifest = null);
