namespace OffGrid.Hub.References;

/// <summary>The form a model reference takes.</summary>
public enum ModelReferenceKind
{
    /// <summary>A short name such as <c>llama3.2</c>, looked up in the alias catalog.</summary>
    Alias,

    /// <summary>A repository (<c>owner/repo</c>); the best variant is chosen from its files.</summary>
    Repository,

    /// <summary>One file in a repository (<c>owner/repo/path/file.gguf</c>).</summary>
    RepositoryFile,

    /// <summary>A GGUF file on this machine.</summary>
    LocalFile,
}
