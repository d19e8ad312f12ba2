namespace OffGrid.Inference.Templates.Jinja.Nodes;

/// <summary>
/// <c>{% call(parameters) macro(arguments) %}body{% endcall %}</c>: calls the macro with the body available to it as
/// <c>caller()</c>.
/// </summary>
internal sealed class CallBlockStatement(
    int line,
    Expression callee,
    ArgumentList arguments,
    IReadOnlyList<MacroParameter> callerParameters,
    IReadOnlyList<Statement> body) : Statement(line)
{
    /// <inheritdoc/>
    public override LoopControl Render(RenderContext context)
    {
        if (Evaluate(callee, context) is not TemplateCallable macro)
        {
            throw new ChatTemplateException("the target of a call block is not callable", Line);
        }

        object? result;
        try
        {
            var caller = new MacroFunction("caller", callerParameters, body, context.Scope);
            var given = arguments.Evaluate(context);
            result = macro.Invoke(new CallArguments(given.Positional, [.. given.Named, new("caller", caller)]), context);
        }
        catch (Exception error) when (IsRuntimeError(error))
        {
            throw Locate(error);
        }

        context.Output.Append(ValueFormatter.ToStr(result));
        return LoopControl.None;
    }
}
