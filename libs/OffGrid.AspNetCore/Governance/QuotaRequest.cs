using System.Text.Json.Serialization;

namespace OffGrid.AspNetCore.Governance;

/// <summary>The body of <c>PUT /v1/users/{name}/quota</c>: the user's own limits; a limit left out is unlimited.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class QuotaRequest
{
    public long? TokensPerDay { get; set; }

    public int? RequestsPerMinute { get; set; }

    public int? ConcurrentRequests { get; set; }
}
