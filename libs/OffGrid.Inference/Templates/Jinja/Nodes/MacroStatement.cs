namespace OffGrid.Inference.Templates.Jinja.Nodes;

/// <summary><c>{% macro name(parameters) %}...{% endmacro %}</c>: defines a callable in the current scope.</summary>
internal sealed class MacroStatement(int line, string name, IReadOnlyList<MacroParameter> parameters, IReadOnlyList<Statement> body)
    : Statement(line)
{
    /// <inheritdoc/>
    public override LoopControl Render(RenderContext context)
    {
        context.Scope.Set(name, new MacroFunction(name, parameters, body, context.Scope));
        return LoopControl.None;
    }
}
