namespace OffGrid.Rag.Collections;

/// <summary>A knowledge collection with the requested name already exists.</summary>
public sealed class CollectionExistsException : KnowledgeException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="collection">The name in use.</param>
    public CollectionExistsException(string collection)
        : base($"A knowledge collection named '{collection}' already exists.")
    {
        Collection = collection;
    }

    /// <summary>Gets the name in use.</summary>
    public string Collection { get; }
}
