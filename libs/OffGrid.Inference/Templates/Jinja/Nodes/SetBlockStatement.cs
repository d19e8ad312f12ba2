namespace OffGrid.Inference.Templates.Jinja.Nodes;

/// <summary><c>{% set name %}...{% endset %}</c>: assigns the rendered body as a string.</summary>
internal sealed class SetBlockStatement(int line, AssignmentTarget target, IReadOnlyList<Statement> body) : Statement(line)
{
    /// <inheritdoc/>
    public override LoopControl Render(RenderContext context)
    {
        Assign(target, Capture(body, context), context);

        return LoopControl.None;
    }
}
