namespace OffGrid.Inference.Templates.Jinja.Nodes;

/// <summary>A parsed statement or piece of output, rendered into <see cref="RenderContext.Output"/>.</summary>
internal abstract class Statement(int line)
{
    /// <summary>The 1-based template line the statement starts on.</summary>
    public int Line { get; } = line;

    /// <summary>Renders the statement; returns how a <c>break</c> or <c>continue</c> inside it ended it.</summary>
    public abstract LoopControl Render(RenderContext context);

    /// <summary>Renders <paramref name="body"/> in order until a <c>break</c> or <c>continue</c> ends it.</summary>
    public static LoopControl RenderAll(IReadOnlyList<Statement> body, RenderContext context)
    {
        foreach (var statement in body)
        {
            var control = statement.Render(context);
            if (control != LoopControl.None)
            {
                return control;
            }
        }

        return LoopControl.None;
    }

    /// <summary>Renders <paramref name="body"/> into a string of its own instead of the current output.</summary>
    public static string Capture(IReadOnlyList<Statement> body, RenderContext context)
    {
        var saved = context.Output;
        context.Output = new();
        try
        {
            RenderAll(body, context);
            return context.Output.ToString();
        }
        finally
        {
            context.Output = saved;
        }
    }

    /// <summary>Stores <paramref name="value"/> into <paramref name="target"/>, locating errors at this statement.</summary>
    protected void Assign(AssignmentTarget target, object? value, RenderContext context)
    {
        try
        {
            target.Assign(context, value);
        }
        catch (Exception error) when (IsRuntimeError(error))
        {
            throw Locate(error);
        }
    }

    /// <summary>Evaluates <paramref name="expression"/>, locating runtime errors at this statement.</summary>
    protected object? Evaluate(Expression expression, RenderContext context)
    {
        try
        {
            return expression.Evaluate(context);
        }
        catch (Exception error) when (IsRuntimeError(error))
        {
            throw Locate(error);
        }
    }

    /// <summary>
    /// Whether <paramref name="error"/> is a failure of the template at run time (as opposed to one already located, or a
    /// fatal runtime condition) that should be reported at this statement's line.
    /// </summary>
    protected static bool IsRuntimeError(Exception error) =>
        error is TemplateEvaluationException or InvalidCastException or ArgumentException or FormatException
            or OverflowException or InvalidOperationException or System.Text.Json.JsonException;

    /// <summary>Turns a runtime error into the public exception, located at this statement's line.</summary>
    protected ChatTemplateException Locate(Exception error) =>
        error is TemplateEvaluationException { RaisedByTemplate: true }
            ? new ChatTemplateRaisedException(error.Message, Line)
            : new ChatTemplateException(error.Message, Line);
}
