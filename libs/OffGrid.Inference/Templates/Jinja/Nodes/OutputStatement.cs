namespace OffGrid.Inference.Templates.Jinja.Nodes;

/// <summary><c>{{ expression }}</c>: writes Python's <c>str()</c> of the value.</summary>
internal sealed class OutputStatement(int line, Expression expression) : Statement(line)
{
    /// <inheritdoc/>
    public override LoopControl Render(RenderContext context)
    {
        context.Output.Append(ValueFormatter.ToStr(Evaluate(expression, context)));
        return LoopControl.None;
    }
}
