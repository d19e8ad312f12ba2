namespace OffGrid.Agents.Templates;

/// <summary>How much one agent turn may spend: model calls, wall-clock time and tokens.</summary>
/// <remarks>Immutable; safe to share between threads.</remarks>
public sealed record AgentBudget
{
    /// <summary>Gets the most model calls one turn may make (each round of tool calls costs one); at least 1. Default 8.</summary>
    public int MaxSteps { get; init; } = 8;

    /// <summary>Gets the most wall-clock seconds a whole run may take; at least 1. Default 300.</summary>
    public int MaxSeconds { get; init; } = 300;

    /// <summary>Gets the most tokens (prompt and output, as the engine reports them) a whole run may use; <see langword="null"/> for no limit.</summary>
    public int? MaxTokens { get; init; }

    /// <summary>Lists what is wrong with this budget, each message naming the field.</summary>
    /// <returns>One message per invalid field; empty when the budget is usable.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (MaxSteps < 1)
        {
            errors.Add("budget.maxSteps must be at least 1.");
        }

        if (MaxSeconds < 1)
        {
            errors.Add("budget.maxSeconds must be at least 1.");
        }

        if (MaxTokens is < 1)
        {
            errors.Add("budget.maxTokens must be at least 1 when set.");
        }

        return errors;
    }
}
