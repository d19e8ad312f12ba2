namespace OffGrid.Inference.Templates.Jinja.Nodes;

/// <summary>Literal template text.</summary>
internal sealed class TextStatement(int line, string text) : Statement(line)
{
    /// <inheritdoc/>
    public override LoopControl Render(RenderContext context)
    {
        context.Output.Append(text);
        return LoopControl.None;
    }
}
