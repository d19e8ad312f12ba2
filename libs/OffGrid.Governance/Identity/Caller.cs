namespace OffGrid.Governance.Identity;

/// <summary>Who is making a model call: the user name, and when known the API key and client address (for the audit log).</summary>
/// <param name="UserName">The OffGrid user name; quotas, permissions and audit entries are keyed by it.</param>
public sealed record Caller(string UserName)
{
    /// <summary>Gets the visible id of the API key the call came with (<c>og_…</c>), when it came with one.</summary>
    public string? KeyId { get; init; }

    /// <summary>Gets the client's network address, when the call came over the network.</summary>
    public string? ClientAddress { get; init; }
}
