namespace OffGrid.Rag.Collections;

/// <summary>Settings of <see cref="KnowledgeCollections"/>: where collections live and the knowledge-base settings each one opens with.</summary>
/// <remarks>Configure before the collections are created; read-only afterwards, and then safe to share between threads.</remarks>
public sealed class KnowledgeCollectionsOptions
{
    /// <summary>Gets or sets the folder that holds one sub-folder per collection. Defaults to <c>knowledge</c> under <see cref="Hub.OffGridHome"/>.</summary>
    public string Directory { get; set; } = Hub.OffGridHome.Combine("knowledge");

    /// <summary>Gets or sets the settings every collection's knowledge base opens with; <see cref="RagOptions.DatabasePath"/> and <see cref="RagOptions.DefaultCollection"/> are set per collection.</summary>
    public RagOptions Rag { get; set; } = new();

    /// <summary>Gets or sets how many finished ingestion jobs are remembered for status queries.</summary>
    public int RetainedJobs { get; set; } = 100;

    /// <summary>Lists what is wrong with these settings; empty when they are usable.</summary>
    /// <returns>One message per invalid setting.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Directory))
        {
            errors.Add($"{nameof(Directory)} must name a folder.");
        }

        if (Rag is null)
        {
            errors.Add($"{nameof(Rag)} must be set.");
        }
        else
        {
            errors.AddRange(Rag.Validate().Where(e => !e.StartsWith(nameof(RagOptions.DatabasePath), StringComparison.Ordinal)).Select(e => "Rag: " + e));
        }

        if (RetainedJobs < 0)
        {
            errors.Add($"{nameof(RetainedJobs)} must not be negative.");
        }

        return errors;
    }
}
