using System.Text.Json.Serialization;

namespace OffGrid.AspNetCore.Governance;

/// <summary>The body of <c>PATCH /v1/users/{name}</c>: each field given is changed, the rest kept.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class UpdateUserRequest
{
    public string? Role { get; set; }

    public bool? Disabled { get; set; }

    public string? Password { get; set; }

    public List<string>? Models { get; set; }

    public List<string>? Collections { get; set; }
}
