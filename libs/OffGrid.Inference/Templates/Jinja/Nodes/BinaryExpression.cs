namespace OffGrid.Inference.Templates.Jinja.Nodes;

/// <summary>Arithmetic (<c>+ - * / // % **</c>) or string concatenation (<c>~</c>).</summary>
internal sealed class BinaryExpression(string sign, Expression left, Expression right) : Expression
{
    /// <inheritdoc/>
    public override object? Evaluate(RenderContext context)
    {
        object? a = left.Evaluate(context);
        object? b = right.Evaluate(context);
        return sign == "~" ? string.Concat(ValueFormatter.ToStr(a), ValueFormatter.ToStr(b)) : ValueOperations.Arithmetic(sign, a, b);
    }
}
