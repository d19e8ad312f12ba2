using System.Diagnostics.Metrics;

namespace OffGrid.Governance;

/// <summary>
/// The <c>OffGrid.Governance</c> meter: <c>offgrid.governance.quota_rejections</c>,
/// <c>offgrid.governance.authentication_failures</c> and <c>offgrid.governance.audit_entries</c> (counters).
/// </summary>
public static class GovernanceTelemetry
{
    /// <summary>The name of the meter, for an OpenTelemetry exporter to listen to.</summary>
    public const string Name = "OffGrid.Governance";

    private static readonly Meter s_meter = new(Name);

    internal static readonly Counter<long> QuotaRejections = s_meter.CreateCounter<long>("offgrid.governance.quota_rejections", "{request}", "Requests refused because a quota was reached.");

    internal static readonly Counter<long> AuthenticationFailures = s_meter.CreateCounter<long>("offgrid.governance.authentication_failures", "{attempt}", "Failed API-key or password sign-in attempts.");

    internal static readonly Counter<long> AuditEntries = s_meter.CreateCounter<long>("offgrid.governance.audit_entries", "{entry}", "Entries appended to the audit log.");
}
