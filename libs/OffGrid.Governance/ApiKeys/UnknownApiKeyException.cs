namespace OffGrid.Governance.ApiKeys;

/// <summary>No API key has the given id.</summary>
public sealed class UnknownApiKeyException : GovernanceException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="keyId">The id that was not found.</param>
    public UnknownApiKeyException(string keyId)
        : base($"There is no API key '{keyId}'.")
    {
        KeyId = keyId;
    }

    /// <summary>Gets the id that was not found.</summary>
    public string KeyId { get; }
}
