namespace OffGrid.Inference.Templates.Jinja.Nodes;

/// <summary><c>a if condition else b</c>; without <c>else</c> the result is undefined when the condition fails.</summary>
internal sealed class ConditionalExpression(Expression condition, Expression whenTrue, Expression? whenFalse) : Expression
{
    /// <inheritdoc/>
    public override object? Evaluate(RenderContext context) =>
        ValueOperations.IsTruthy(condition.Evaluate(context))
            ? whenTrue.Evaluate(context)
            : whenFalse is null ? Undefined.Instance : whenFalse.Evaluate(context);
}
