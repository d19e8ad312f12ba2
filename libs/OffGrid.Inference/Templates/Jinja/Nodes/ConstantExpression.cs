namespace OffGrid.Inference.Templates.Jinja.Nodes;

/// <summary>A literal: string, number, boolean or none.</summary>
internal sealed class ConstantExpression(object? value) : Expression
{
    /// <summary>The literal value.</summary>
    public object? Value { get; } = value;

    /// <inheritdoc/>
    public override object? Evaluate(RenderContext context) => Value;
}
