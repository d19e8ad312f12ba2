using OffGrid.Governance.ApiKeys;
using OffGrid.Governance.Audit;
using OffGrid.Governance.Quotas;
using OffGrid.Governance.Users;

namespace OffGrid.AspNetCore.Governance;

/// <summary>The JSON objects of the governance API (snake_case through the server's JSON options; times in ISO 8601 UTC).</summary>
internal static class GovernanceShapes
{
    /// <summary>A user account.</summary>
    public static object User(OffGridUser user) => new
    {
        @object = "user",
        name = user.Name,
        role = user.Role.ToName(),
        disabled = user.IsDisabled,
        source = user.Source == UserSource.Ldap ? "ldap" : "local",
        display_name = user.DisplayName,
        email = user.Email,
        has_password = user.HasPassword,
        models = user.AllowedModels,
        collections = user.AllowedCollections,
        created_at = user.CreatedAt,
    };

    /// <summary>An API key; its secret only in the answer that creates it (left out when <see langword="null"/>).</summary>
    public static object Key(ApiKeyInfo key, string? secret = null) => new
    {
        @object = "api_key",
        id = key.Id,
        key = secret,
        name = key.Name,
        user = key.UserName,
        status = key.Status.ToString().ToLowerInvariant(),
        created_at = key.CreatedAt,
        expires_at = key.ExpiresAt,
        last_used_at = key.LastUsedAt,
        revoked_at = key.RevokedAt,
    };

    /// <summary>A new or regenerated key with its secret, shown this once.</summary>
    public static object CreatedKey(CreatedApiKey created) => Key(created.Info, created.Secret);

    /// <summary>Quota limits; a missing limit is unlimited.</summary>
    public static object Limits(QuotaLimits limits) => new
    {
        tokens_per_day = limits.TokensPerDay,
        requests_per_minute = limits.RequestsPerMinute,
        concurrent_requests = limits.ConcurrentRequests,
    };

    /// <summary>A user's limits and what is used of them now.</summary>
    public static object Quota(QuotaStatus status) => new
    {
        user = status.UserName,
        limits = Limits(status.Limits),
        tokens_today = status.TokensToday,
        tokens_reset_at = status.TokensResetAt,
        requests_last_minute = status.RequestsLastMinute,
        active_requests = status.ActiveRequests,
    };

    /// <summary>One user's use on one UTC day.</summary>
    public static object Usage(UsageSummary day) => new
    {
        user = day.UserName,
        day = day.Day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        requests = day.Requests,
        rejected = day.Rejected,
        input_tokens = day.InputTokens,
        output_tokens = day.OutputTokens,
        total_tokens = day.TotalTokens,
    };

    /// <summary>The result of checking the audit chain.</summary>
    public static object Verification(AuditVerification result) => new
    {
        @object = "audit.verification",
        intact = result.IsIntact,
        entries_checked = result.EntriesChecked,
        first_sequence = result.FirstSequence,
        last_sequence = result.LastSequence,
        removed_by_retention = result.RemovedByRetention,
        problems = result.Problems.Select(p => new { kind = p.Kind.ToString().ToLowerInvariant(), sequence = p.Sequence, message = p.Message }),
    };

    /// <summary>A list in OpenAI's shape.</summary>
    public static object List(IEnumerable<object> items) => new { @object = "list", data = items };
}
