namespace OffGrid.Inference.Templates.Jinja.Nodes;

/// <summary><c>{% set target = value %}</c>.</summary>
internal sealed class SetStatement(int line, AssignmentTarget target, Expression value) : Statement(line)
{
    /// <inheritdoc/>
    public override LoopControl Render(RenderContext context)
    {
        Assign(target, Evaluate(value, context), context);

        return LoopControl.None;
    }
}
