namespace OffGrid.Inference.Templates.Jinja;

/// <summary>A value a template can call: a global function, a bound method, a macro, or <c>caller</c>.</summary>
internal abstract class TemplateCallable
{
    /// <summary>Calls the value with <paramref name="arguments"/> during the render described by <paramref name="context"/>.</summary>
    public abstract object? Invoke(CallArguments arguments, RenderContext context);
}
