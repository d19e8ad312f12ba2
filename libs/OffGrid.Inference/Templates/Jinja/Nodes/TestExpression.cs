namespace OffGrid.Inference.Templates.Jinja.Nodes;

/// <summary><c>operand is [not] test(arguments)</c>, with the test resolved when the template is parsed.</summary>
internal sealed class TestExpression(Expression operand, TestFunction test, ArgumentList arguments, bool negated) : Expression
{
    /// <inheritdoc/>
    public override object? Evaluate(RenderContext context) =>
        test(operand.Evaluate(context), arguments.Evaluate(context)) != negated;
}
