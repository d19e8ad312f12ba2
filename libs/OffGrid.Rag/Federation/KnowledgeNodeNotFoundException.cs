namespace OffGrid.Rag.Federation;

/// <summary>A collection has no remote node of the requested name.</summary>
public sealed class KnowledgeNodeNotFoundException : KnowledgeException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="collection">The collection.</param>
    /// <param name="node">The node name that was asked for.</param>
    public KnowledgeNodeNotFoundException(string collection, string node)
        : base($"The knowledge collection '{collection}' has no node '{node}'.")
    {
        Collection = collection;
        Node = node;
    }

    /// <summary>Gets the collection.</summary>
    public string Collection { get; }

    /// <summary>Gets the node name that was asked for.</summary>
    public string Node { get; }
}
