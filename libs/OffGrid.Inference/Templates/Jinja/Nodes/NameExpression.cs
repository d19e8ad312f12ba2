namespace OffGrid.Inference.Templates.Jinja.Nodes;

/// <summary>A variable reference.</summary>
internal sealed class NameExpression(string name) : Expression
{
    /// <summary>The variable name.</summary>
    public string Name { get; } = name;

    /// <inheritdoc/>
    public override object? Evaluate(RenderContext context) => context.Lookup(Name);
}
