namespace OffGrid.Cli.Diagnostics;

/// <summary>One line of <c>offgrid doctor</c>.</summary>
/// <param name="Check">What was looked at, for example <c>Memory</c>.</param>
/// <param name="Result">What was found.</param>
/// <param name="Status">Whether it is fine.</param>
internal sealed record DoctorFinding(string Check, string Result, FindingStatus Status = FindingStatus.Ok);
