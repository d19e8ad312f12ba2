namespace OffGrid.Inference.Templates.Jinja.Nodes;

/// <summary>A parsed expression, evaluated on each render.</summary>
internal abstract class Expression
{
    /// <summary>Computes the value of the expression.</summary>
    public abstract object? Evaluate(RenderContext context);
}
