namespace OffGrid.Governance.Identity;

/// <summary>How failed sign-ins (per user name) and invalid API keys (per client address) lock further attempts out.</summary>
public sealed class LockoutOptions
{
    /// <summary>Gets or sets the failures within <see cref="Window"/> that cause a lockout; 5 by default.</summary>
    public int MaxFailedAttempts { get; set; } = 5;

    /// <summary>Gets or sets the period in which failures are counted; 15 minutes by default.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Gets or sets how long a lockout lasts; 15 minutes by default.</summary>
    public TimeSpan Duration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Lists what is wrong with these settings; empty when they are usable.</summary>
    /// <returns>One message per invalid setting.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (MaxFailedAttempts < 1)
        {
            errors.Add($"{nameof(MaxFailedAttempts)} must be at least 1.");
        }

        if (Window <= TimeSpan.Zero)
        {
            errors.Add($"{nameof(Window)} must be positive.");
        }

        if (Duration <= TimeSpan.Zero)
        {
            errors.Add($"{nameof(Duration)} must be positive.");
        }

        return errors;
    }
}
