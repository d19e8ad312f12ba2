namespace OffGrid.Hub.HuggingFace;

/// <summary>The field search results are sorted by.</summary>
public enum ModelSortField
{
    /// <summary>Downloads in the last month.</summary>
    Downloads,

    /// <summary>Likes.</summary>
    Likes,

    /// <summary>Last change.</summary>
    LastModified,

    /// <summary>Creation date.</summary>
    CreatedAt,
}
