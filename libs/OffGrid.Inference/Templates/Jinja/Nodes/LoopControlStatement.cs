namespace OffGrid.Inference.Templates.Jinja.Nodes;

/// <summary><c>{% break %}</c> or <c>{% continue %}</c>.</summary>
internal sealed class LoopControlStatement(int line, LoopControl control) : Statement(line)
{
    /// <inheritdoc/>
    public override LoopControl Render(RenderContext context) => control;
}
