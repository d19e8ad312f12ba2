namespace OffGrid.Inference.Templates.Jinja.Nodes;

/// <summary><c>not x</c>, <c>-x</c> or <c>+x</c>.</summary>
internal sealed class UnaryExpression(string sign, Expression operand) : Expression
{
    /// <inheritdoc/>
    public override object? Evaluate(RenderContext context)
    {
        object? value = operand.Evaluate(context);
        return sign switch
        {
            "not" => !ValueOperations.IsTruthy(value),
            "-" => value switch
            {
                double d => (object)(-d),
                long or bool => -ValueOperations.ToInteger(value),
                _ => throw new TemplateEvaluationException($"bad operand type for unary -: '{ValueFormatter.TypeName(value)}'"),
            },
            _ => ValueOperations.IsNumber(value)
                ? value is bool ? ValueOperations.ToInteger(value) : value
                : throw new TemplateEvaluationException($"bad operand type for unary +: '{ValueFormatter.TypeName(value)}'"),
        };
    }
}
