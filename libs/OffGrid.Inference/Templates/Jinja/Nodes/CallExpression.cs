namespace OffGrid.Inference.Templates.Jinja.Nodes;

/// <summary><c>target(arguments)</c>: a global function, a method, a macro or <c>caller()</c>.</summary>
internal sealed class CallExpression(Expression target, ArgumentList arguments) : Expression
{
    /// <summary>The expression that yields the callable.</summary>
    public Expression Target { get; } = target;

    /// <summary>The arguments of the call.</summary>
    public ArgumentList Arguments { get; } = arguments;

    /// <inheritdoc/>
    public override object? Evaluate(RenderContext context) => Target.Evaluate(context) switch
    {
        TemplateCallable callable => callable.Invoke(Arguments.Evaluate(context), context),
        Undefined undefined => throw new TemplateEvaluationException(undefined.Description),
        var other => throw new TemplateEvaluationException($"'{ValueFormatter.TypeName(other)}' object is not callable"),
    };
}
