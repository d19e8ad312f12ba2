namespace OffGrid.Inference.Tests.Templates;

/// <summary>One template for an oracle to render: its source and its variables as a JSON object.</summary>
internal sealed record OracleCase(string Source, string VariablesJson);
