using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace OffGrid.Governance;

/// <summary>The <c>OffGrid.Governance</c> activity source and meter.</summary>
internal static class GovernanceTelemetry
{
    public const string Name = "OffGrid.Governance";

    public static readonly ActivitySource ActivitySource = new(Name);

    private static readonly Meter s_meter = new(Name);

    public static readonly Counter<long> QuotaRejections = s_meter.CreateCounter<long>("offgrid.governance.quota_rejections", "{request}", "Requests refused because a quota was reached.");

    public static readonly Counter<long> AuthenticationFailures = s_meter.CreateCounter<long>("offgrid.governance.authentication_failures", "{attempt}", "Failed API-key or password sign-in attempts.");

    public static readonly Counter<long> AuditEntries = s_meter.CreateCounter<long>("offgrid.governance.audit_entries", "{entry}", "Entries appended to the audit log.");
}
