namespace OffGrid.Inference.Templates.Jinja.Nodes;

/// <summary>
/// <c>{% for target in items if condition %}...{% else %}...{% endfor %}</c>. The body runs in a scope of its own, so
/// assignments inside do not leak out, as in Jinja.
/// </summary>
internal sealed class ForStatement(
    int line,
    AssignmentTarget target,
    Expression iterable,
    Expression? condition,
    IReadOnlyList<Statement> body,
    IReadOnlyList<Statement> otherwise) : Statement(line)
{
    /// <inheritdoc/>
    public override LoopControl Render(RenderContext context)
    {
        object? source = Evaluate(iterable, context);
        IReadOnlyList<object?> items;
        try
        {
            items = ValueOperations.Iterate(source);
        }
        catch (Exception error) when (IsRuntimeError(error))
        {
            throw Locate(error);
        }

        var outer = context.Scope;
        context.Scope = new Scope(outer);
        try
        {
            if (condition is not null)
            {
                items = KeepMatching(items, context);
            }

            if (items.Count == 0)
            {
                context.Scope = outer;
                return RenderAll(otherwise, context);
            }

            var loop = new LoopState(items);
            context.Scope.Set("loop", loop);
            for (int i = 0; i < items.Count; i++)
            {
                loop.Index0 = i;
                Assign(target, items[i], context);
                if (RenderAll(body, context) == LoopControl.Break)
                {
                    break;
                }
            }

            return LoopControl.None;
        }
        finally
        {
            context.Scope = outer;
        }
    }

    private List<object?> KeepMatching(IReadOnlyList<object?> items, RenderContext context)
    {
        var kept = new List<object?>(items.Count);
        foreach (object? item in items)
        {
            Assign(target, item, context);
            if (ValueOperations.IsTruthy(Evaluate(condition!, context)))
            {
                kept.Add(item);
            }
        }

        return kept;
    }
}
