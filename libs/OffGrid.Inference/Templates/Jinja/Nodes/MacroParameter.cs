namespace OffGrid.Inference.Templates.Jinja.Nodes;

/// <summary>One macro parameter and its default value expression, if any.</summary>
internal sealed record MacroParameter(string Name, Expression? Default);
