namespace OffGrid.Inference.Templates.Jinja;

/// <summary>A callable implemented in C#: a global function or a method bound to its receiver.</summary>
internal sealed class BuiltinFunction(string name, Func<CallArguments, RenderContext, object?> body) : TemplateCallable
{
    /// <summary>The name templates call it by, for error messages.</summary>
    public string Name { get; } = name;

    /// <inheritdoc/>
    public override object? Invoke(CallArguments arguments, RenderContext context) => body(arguments, context);
}
