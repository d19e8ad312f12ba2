using OffGrid.Inference.Templates.Jinja.Nodes;

namespace OffGrid.Inference.Templates.Jinja;

/// <summary>
/// A macro defined with <c>{% macro %}</c> (or the body of a call block, as <c>caller</c>). Calling it renders its body
/// in a fresh scope whose parent is the scope it was defined in, and returns the text.
/// </summary>
internal sealed class MacroFunction(string name, IReadOnlyList<MacroParameter> parameters, IReadOnlyList<Statement> body, Scope closure)
    : TemplateCallable
{
    /// <inheritdoc/>
    public override object? Invoke(CallArguments arguments, RenderContext context)
    {
        if (context.MacroDepth >= RenderContext.MaxMacroDepth)
        {
            throw new TemplateEvaluationException($"macro '{name}' nested more than {RenderContext.MaxMacroDepth} calls deep");
        }

        var savedScope = context.Scope;
        context.Scope = new Scope(closure);
        context.MacroDepth++;
        try
        {
            Bind(arguments, context);
            return Statement.Capture(body, context);
        }
        finally
        {
            context.MacroDepth--;
            context.Scope = savedScope;
        }
    }

    /// <summary>Binds positional, then keyword arguments, then defaults; extras go to <c>varargs</c> and <c>kwargs</c> as in Jinja.</summary>
    private void Bind(CallArguments arguments, RenderContext context)
    {
        var scope = context.Scope;
        for (int i = 0; i < parameters.Count; i++)
        {
            var parameter = parameters[i];
            object? value = arguments.TryGet(i, parameter.Name, out object? given) ? given
                : parameter.Default is not null ? parameter.Default.Evaluate(context)
                : Undefined.Variable(parameter.Name);
            scope.Set(parameter.Name, value);
        }

        scope.Set("varargs", arguments.Positional.Skip(parameters.Count).ToList());
        var extra = new TemplateDict();
        foreach (var pair in arguments.Named)
        {
            if (pair.Key == "caller")
            {
                scope.Set("caller", pair.Value);
            }
            else if (!parameters.Any(parameter => parameter.Name == pair.Key))
            {
                extra[pair.Key] = pair.Value;
            }
        }

        scope.Set("kwargs", extra);
    }
}
