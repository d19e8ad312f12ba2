namespace OffGrid.Inference.Templates.Jinja.Nodes;

/// <summary><c>target[key]</c>: a dict key or a list/string index.</summary>
internal sealed class ItemExpression(Expression target, Expression key) : Expression
{
    /// <inheritdoc/>
    public override object? Evaluate(RenderContext context) =>
        MemberAccess.GetItem(target.Evaluate(context), key.Evaluate(context));
}
