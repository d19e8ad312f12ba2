namespace OffGrid.Rag.Collections;

/// <summary>No knowledge collection has the name a request used.</summary>
public sealed class CollectionNotFoundException : KnowledgeException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="collection">The name that was asked for.</param>
    public CollectionNotFoundException(string collection)
        : base($"There is no knowledge collection named '{collection}'.")
    {
        Collection = collection;
    }

    /// <summary>Gets the name that was asked for.</summary>
    public string Collection { get; }
}
