namespace OffGrid.Governance.Quotas;

/// <summary>One user's model use on one UTC day.</summary>
public sealed record UsageSummary
{
    /// <summary>Gets the user.</summary>
    public required string UserName { get; init; }

    /// <summary>Gets the UTC day.</summary>
    public DateOnly Day { get; init; }

    /// <summary>Gets the calls admitted.</summary>
    public long Requests { get; init; }

    /// <summary>Gets the calls refused by a quota.</summary>
    public long Rejected { get; init; }

    /// <summary>Gets the prompt tokens of the admitted calls.</summary>
    public long InputTokens { get; init; }

    /// <summary>Gets the generated tokens of the admitted calls.</summary>
    public long OutputTokens { get; init; }

    /// <summary>Gets input plus output tokens.</summary>
    public long TotalTokens => InputTokens + OutputTokens;
}
