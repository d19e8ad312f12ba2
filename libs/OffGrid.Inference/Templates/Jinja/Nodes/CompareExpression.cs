namespace OffGrid.Inference.Templates.Jinja.Nodes;

/// <summary>A comparison chain such as <c>a &lt; b &lt;= c</c>, including <c>in</c> and <c>not in</c>.</summary>
internal sealed class CompareExpression(Expression first, IReadOnlyList<(string Sign, Expression Operand)> rest) : Expression
{
    /// <inheritdoc/>
    public override object? Evaluate(RenderContext context)
    {
        object? left = first.Evaluate(context);
        foreach (var (sign, operand) in rest)
        {
            object? right = operand.Evaluate(context);
            if (!Holds(sign, left, right))
            {
                return false;
            }

            left = right;
        }

        return true;
    }

    private static bool Holds(string sign, object? left, object? right) => sign switch
    {
        "==" => ValueOperations.AreEqual(left, right),
        "!=" => !ValueOperations.AreEqual(left, right),
        "in" => ValueOperations.Contains(right, left),
        "not in" => !ValueOperations.Contains(right, left),
        "<" => ValueOperations.Compare(left, right, sign) < 0,
        "<=" => ValueOperations.Compare(left, right, sign) <= 0,
        ">" => ValueOperations.Compare(left, right, sign) > 0,
        _ => ValueOperations.Compare(left, right, sign) >= 0,
    };
}
