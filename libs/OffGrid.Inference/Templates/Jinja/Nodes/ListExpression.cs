namespace OffGrid.Inference.Templates.Jinja.Nodes;

/// <summary>A list literal <c>[a, b]</c> or, when <paramref name="isTuple"/>, a tuple <c>(a, b)</c>.</summary>
internal sealed class ListExpression(IReadOnlyList<Expression> items, bool isTuple) : Expression
{
    /// <summary>The item expressions, for assignment targets.</summary>
    public IReadOnlyList<Expression> Items { get; } = items;

    /// <inheritdoc/>
    public override object? Evaluate(RenderContext context)
    {
        var values = new object?[Items.Count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = Items[i].Evaluate(context);
        }

        return isTuple ? values : new List<object?>(values);
    }
}
