namespace OffGrid.Inference.Templates.Jinja.Nodes;

/// <summary><c>target.name</c>: an attribute, a dict key or a bound method.</summary>
internal sealed class AttributeExpression(Expression target, string name) : Expression
{
    /// <inheritdoc/>
    public override object? Evaluate(RenderContext context) => MemberAccess.GetAttribute(target.Evaluate(context), name);
}
