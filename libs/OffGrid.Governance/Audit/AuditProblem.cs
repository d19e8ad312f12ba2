namespace OffGrid.Governance.Audit;

/// <summary>One finding of <see cref="AuditLog.VerifyAsync(CancellationToken)"/>.</summary>
/// <param name="Kind">How the chain was altered.</param>
/// <param name="Sequence">The entry concerned (for a changed head or anchor record, the sequence it names).</param>
/// <param name="Message">A sentence naming the entry and what is wrong with it.</param>
public sealed record AuditProblem(AuditProblemKind Kind, long Sequence, string Message);
