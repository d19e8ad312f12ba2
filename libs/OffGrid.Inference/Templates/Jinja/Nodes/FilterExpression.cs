namespace OffGrid.Inference.Templates.Jinja.Nodes;

/// <summary><c>operand | filter(arguments)</c>, with the filter resolved when the template is parsed.</summary>
internal sealed class FilterExpression(Expression operand, FilterFunction filter, ArgumentList arguments) : Expression
{
    /// <inheritdoc/>
    public override object? Evaluate(RenderContext context) =>
        filter(operand.Evaluate(context), arguments.Evaluate(context));
}
