namespace OffGrid.Governance.Quotas;

/// <summary>The limits a quota sets.</summary>
public enum QuotaKind
{
    /// <summary>Input plus output tokens per UTC day.</summary>
    TokensPerDay = 0,

    /// <summary>Model calls started in any 60-second window.</summary>
    RequestsPerMinute = 1,

    /// <summary>Model calls running at the same time.</summary>
    ConcurrentRequests = 2,
}
