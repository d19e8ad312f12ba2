using System.Text.Json.Serialization;

namespace OffGrid.AspNetCore.Governance;

/// <summary>The body of <c>POST /v1/users</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class CreateUserRequest
{
    public string? Name { get; set; }

    /// <summary><c>user</c> (default), <c>admin</c> or <c>auditor</c>.</summary>
    public string? Role { get; set; }

    /// <summary>A password for <c>POST /v1/auth/login</c>; without one the account uses API keys only.</summary>
    public string? Password { get; set; }

    /// <summary>Models the user may call (names, or prefixes ending in <c>*</c>); every model when empty or missing.</summary>
    public List<string>? Models { get; set; }

    /// <summary>Knowledge collections the user may use; every collection when empty or missing.</summary>
    public List<string>? Collections { get; set; }
}
