namespace OffGrid.Rag.Federation;

/// <summary>Settings of <see cref="FederatedKnowledgeSearch"/>.</summary>
public sealed class FederationOptions
{
    /// <summary>Gets or sets how long a search waits for remote nodes; one that has not answered by then is reported as missing. Default 5 s.</summary>
    public TimeSpan Deadline { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Gets or sets the <c>k</c> of reciprocal-rank fusion, <c>score = Σ weight / (k + rank)</c> over the local and remote rankings
    /// (Cormack, Clarke and Büttcher 2009, whose k = 60 is the default).
    /// </summary>
    public int ReciprocalRankK { get; set; } = 60;

    /// <summary>Lists what is wrong with the settings.</summary>
    /// <returns>Empty when they are usable.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Deadline <= TimeSpan.Zero || Deadline > TimeSpan.FromMinutes(10))
        {
            errors.Add("Deadline must be more than 0 and at most 10 minutes.");
        }

        if (ReciprocalRankK is < 1 or > 10_000)
        {
            errors.Add("ReciprocalRankK must be between 1 and 10000.");
        }

        return errors;
    }
}
