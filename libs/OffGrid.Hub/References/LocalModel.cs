using OffGrid.Hub.Store;

namespace OffGrid.Hub.References;

/// <summary>A model that can be named: the name clients use and the GGUF file behind it, or the remote source that serves it.</summary>
/// <param name="Name">The name in listings and API responses.</param>
/// <param name="Path">
/// The full path of the GGUF file (the first part of a split model); for <see cref="LocalModelSource.Remote"/>, the address the
/// <see cref="IModelSource"/> gave it (such as <c>remote://name</c>), which is not a file.
/// </param>
/// <param name="Source">Where it was found.</param>
/// <param name="Manifest">The store's manifest when <paramref name="Source"/> is <see cref="LocalModelSource.Store"/>.</param>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed record LocalModel(string Name, string Path, LocalModelSource Source, ModelManifest? Manifest = null)
{
    /// <summary>Gets whether the model is served elsewhere (<see cref="LocalModelSource.Remote"/>) rather than from a file on this machine.</summary>
    public bool IsRemote => Source == LocalModelSource.Remote;
}
