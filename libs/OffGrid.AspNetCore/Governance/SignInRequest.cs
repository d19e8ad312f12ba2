using System.Text.Json.Serialization;

namespace OffGrid.AspNetCore.Governance;

/// <summary>The body of <c>POST /v1/auth/login</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class SignInRequest
{
    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>How long the key issued works, in hours; 12 by default, at most 720 (30 days).</summary>
    public int? ExpiresInHours { get; set; }
}
