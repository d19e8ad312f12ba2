namespace OffGrid.Inference.Templates.Jinja.Nodes;

/// <summary><c>{% filter name(arguments) %}...{% endfilter %}</c>: renders the body, then passes it through the filters.</summary>
internal sealed class FilterBlockStatement(int line, IReadOnlyList<Func<Expression, Expression>> filters, IReadOnlyList<Statement> body)
    : Statement(line)
{
    /// <inheritdoc/>
    public override LoopControl Render(RenderContext context)
    {
        Expression applied = new ConstantExpression(Capture(body, context));
        foreach (var filter in filters)
        {
            applied = filter(applied);
        }

        context.Output.Append(ValueFormatter.ToStr(Evaluate(applied, context)));
        return LoopControl.None;
    }
}
