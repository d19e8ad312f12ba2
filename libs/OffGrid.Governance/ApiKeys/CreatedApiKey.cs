namespace OffGrid.Governance.ApiKeys;

/// <summary>A new (or regenerated) API key: its description and the secret key, which is not stored and cannot be shown again.</summary>
/// <param name="Info">The key's description.</param>
/// <param name="Secret">The full key to give to the client (<c>og_&lt;id&gt;_&lt;secret&gt;</c>, 56 characters, about 238 bits of entropy in the secret part).</param>
public sealed record CreatedApiKey(ApiKeyInfo Info, string Secret);
