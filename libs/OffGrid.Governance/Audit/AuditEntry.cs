namespace OffGrid.Governance.Audit;

/// <summary>An event as stored in the chain: its position, the event, and the seal linking it to the entry before.</summary>
/// <param name="Sequence">The position in the chain, from 1, without gaps.</param>
/// <param name="Event">What was recorded (its <see cref="AuditEvent.Timestamp"/> is always set).</param>
/// <param name="PreviousHash">The <paramref name="Hash"/> of the entry before (or of the retention anchor); 64 zeros for the first entry.</param>
/// <param name="Hash">HMAC-SHA256 (hex) of the entry's fields and <paramref name="PreviousHash"/> under the audit key.</param>
public sealed record AuditEntry(long Sequence, AuditEvent Event, string PreviousHash, string Hash)
{
    /// <summary>Gets when the event happened.</summary>
    public DateTimeOffset Timestamp => Event.Timestamp!.Value;
}
