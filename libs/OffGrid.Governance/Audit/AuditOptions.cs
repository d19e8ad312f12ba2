namespace OffGrid.Governance.Audit;

/// <summary>What the audit log records and how long it keeps it.</summary>
public sealed class AuditOptions
{
    /// <summary>
    /// Gets or sets whether prompts and answers are stored with each model call. Off by default: the log then holds who,
    /// when, what route and model, token counts, status and latency, but no conversation content.
    /// </summary>
    public bool RecordContent { get; set; }

    /// <summary>
    /// Gets or sets how long entries are kept; <see langword="null"/> (the default) keeps them forever. Older entries are removed
    /// from the start of the chain, and an anchor keeps the rest verifiable.
    /// </summary>
    public TimeSpan? Retention { get; set; }

    /// <summary>Gets or sets whether requests to public routes (health, metrics, the web page) are logged too; off by default.</summary>
    public bool IncludePublicRoutes { get; set; }

    /// <summary>
    /// Gets or sets the file of the secret key that seals the chain; defaults to <c>audit.key</c> beside the database. Keep it
    /// where those who can edit the database cannot write, so that an edited entry cannot be re-sealed.
    /// </summary>
    public string? KeyPath { get; set; }

    /// <summary>Lists what is wrong with these settings; empty when they are usable.</summary>
    /// <returns>One message per invalid setting.</returns>
    public IReadOnlyList<string> Validate() =>
        Retention <= TimeSpan.Zero ? [$"{nameof(Retention)} must be positive, or unset to keep every entry."] : [];
}
