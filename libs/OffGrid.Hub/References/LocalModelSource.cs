namespace OffGrid.Hub.References;

/// <summary>Where a <see cref="LocalModel"/> was found, in the order <see cref="ModelResolver"/> looks.</summary>
public enum LocalModelSource
{
    /// <summary>A name configured in <see cref="ModelResolverOptions.Models"/>.</summary>
    Configured,

    /// <summary>A <c>.gguf</c> file in one of <see cref="ModelResolverOptions.ModelDirectories"/>, named by its file name.</summary>
    Directory,

    /// <summary>A model in the local <see cref="Store.ModelStore"/>.</summary>
    Store,

    /// <summary>A path to a <c>.gguf</c> file (only with <see cref="ModelResolverOptions.AllowFilePaths"/>).</summary>
    File,

    /// <summary>
    /// A model served elsewhere, listed by an <see cref="IModelSource"/> (remote engines); <see cref="LocalModel.Path"/> is not a
    /// file but the source's address for it. Configured names win over it; it wins over model folders and the store.
    /// </summary>
    Remote,
}
