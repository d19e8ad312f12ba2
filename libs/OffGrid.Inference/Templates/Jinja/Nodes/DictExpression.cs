namespace OffGrid.Inference.Templates.Jinja.Nodes;

/// <summary>A dict literal <c>{key: value, ...}</c>.</summary>
internal sealed class DictExpression(IReadOnlyList<(Expression Key, Expression Value)> entries) : Expression
{
    /// <inheritdoc/>
    public override object? Evaluate(RenderContext context)
    {
        var dict = new TemplateDict(entries.Count);
        foreach (var (key, value) in entries)
        {
            dict[key.Evaluate(context) ?? throw new TemplateEvaluationException("dict keys cannot be None")] = value.Evaluate(context);
        }

        return dict;
    }
}
