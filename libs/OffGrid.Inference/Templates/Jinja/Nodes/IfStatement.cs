namespace OffGrid.Inference.Templates.Jinja.Nodes;

/// <summary><c>{% if %}...{% elif %}...{% else %}...{% endif %}</c>.</summary>
internal sealed class IfStatement(
    int line,
    IReadOnlyList<(Expression Condition, IReadOnlyList<Statement> Body)> branches,
    IReadOnlyList<Statement> otherwise) : Statement(line)
{
    /// <inheritdoc/>
    public override LoopControl Render(RenderContext context)
    {
        foreach (var (condition, body) in branches)
        {
            if (ValueOperations.IsTruthy(Evaluate(condition, context)))
            {
                return RenderAll(body, context);
            }
        }

        return RenderAll(otherwise, context);
    }
}
