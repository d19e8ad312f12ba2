namespace OffGrid.Governance.ApiKeys;

/// <summary>What is known about an API key after it was created: everything except the secret, which is only shown once.</summary>
public sealed record ApiKeyInfo
{
    /// <summary>Gets the key's visible id, which is also the start of the key itself (<c>og_</c> and 12 characters); safe to show and log.</summary>
    public required string Id { get; init; }

    /// <summary>Gets the user the key belongs to.</summary>
    public required string UserName { get; init; }

    /// <summary>Gets the label given when the key was created (for example the application using it).</summary>
    public required string Name { get; init; }

    /// <summary>Gets when the key was created (or last regenerated).</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Gets when the key stops working; <see langword="null"/> when it never expires.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>Gets when the key was revoked; <see langword="null"/> while it is not.</summary>
    public DateTimeOffset? RevokedAt { get; init; }

    /// <summary>Gets when the key was last accepted, to the minute; <see langword="null"/> when never used.</summary>
    public DateTimeOffset? LastUsedAt { get; init; }

    /// <summary>Gets whether the key is accepted, as of when it was read.</summary>
    public ApiKeyStatus Status { get; init; }
}
