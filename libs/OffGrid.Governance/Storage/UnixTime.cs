namespace OffGrid.Governance.Storage;

/// <summary>Timestamps are stored as Unix milliseconds (UTC): sortable, comparable in SQL, and exact in the audit hash.</summary>
internal static class UnixTime
{
    public static long ToMilliseconds(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    public static DateTimeOffset FromMilliseconds(long milliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
}
