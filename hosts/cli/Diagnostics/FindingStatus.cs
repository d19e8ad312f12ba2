namespace OffGrid.Cli.Diagnostics;

/// <summary>How a doctor finding affects using OffGrid on this machine.</summary>
internal enum FindingStatus
{
    /// <summary>Fine, or plain information.</summary>
    Ok,

    /// <summary>Works, but something is missing or could be better.</summary>
    Warning,

    /// <summary>Something OffGrid needs is broken.</summary>
    Problem,
}
