namespace OffGrid.Inference.Templates.Jinja.Nodes;

/// <summary><c>a and b</c> / <c>a or b</c>: short-circuits and yields an operand, as in Python.</summary>
internal sealed class LogicalExpression(bool isAnd, Expression left, Expression right) : Expression
{
    /// <inheritdoc/>
    public override object? Evaluate(RenderContext context)
    {
        object? a = left.Evaluate(context);
        return ValueOperations.IsTruthy(a) == isAnd ? right.Evaluate(context) : a;
    }
}
