namespace OffGrid.Distribution.Peers;

/// <summary>A manual peer that could not be used.</summary>
/// <param name="Address">The <c>host:port</c> on the manual list.</param>
/// <param name="Reason">Why: unreachable, or not sharing with this network.</param>
public sealed record UnreachablePeer(string Address, string Reason);
