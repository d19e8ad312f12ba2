using System.Text.Json.Serialization;

namespace OffGrid.AspNetCore.Governance;

/// <summary>The body of <c>POST /v1/keys</c>; every field is optional.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class CreateKeyRequest
{
    /// <summary>A label, such as the machine or app that uses the key.</summary>
    public string? Name { get; set; }

    /// <summary>The owner; only an administrator may name another user. The caller by default.</summary>
    public string? User { get; set; }

    /// <summary>When the key stops working (ISO 8601).</summary>
    public DateTimeOffset? ExpiresAt { get; set; }

    /// <summary>When the key stops working, in days from now.</summary>
    public int? ExpiresInDays { get; set; }
}
