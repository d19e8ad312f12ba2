namespace OffGrid.Rag.Collections;

/// <summary>A collection has no document with the requested id.</summary>
public sealed class DocumentNotFoundException : KnowledgeException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="collection">The collection.</param>
    /// <param name="documentId">The id that was asked for.</param>
    public DocumentNotFoundException(string collection, long documentId)
        : base($"The knowledge collection '{collection}' has no document {documentId}.")
    {
        Collection = collection;
        DocumentId = documentId;
    }

    /// <summary>Gets the collection.</summary>
    public string Collection { get; }

    /// <summary>Gets the id that was asked for.</summary>
    public long DocumentId { get; }
}
