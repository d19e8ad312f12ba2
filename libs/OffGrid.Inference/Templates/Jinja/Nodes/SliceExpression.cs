namespace OffGrid.Inference.Templates.Jinja.Nodes;

/// <summary><c>target[start:stop:step]</c> with Python's slice rules.</summary>
internal sealed class SliceExpression(Expression target, Expression? start, Expression? stop, Expression? step) : Expression
{
    /// <inheritdoc/>
    public override object? Evaluate(RenderContext context) => MemberAccess.Slice(
        target.Evaluate(context), start?.Evaluate(context), stop?.Evaluate(context), step?.Evaluate(context));
}
