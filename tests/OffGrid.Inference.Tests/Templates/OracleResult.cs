namespace OffGrid.Inference.Tests.Templates;

/// <summary>What the oracle produced for one template: its output, or the message of the error it threw.</summary>
internal sealed record OracleResult(string? Output, string? Error);
