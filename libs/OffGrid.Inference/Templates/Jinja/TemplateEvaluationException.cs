namespace OffGrid.Inference.Templates.Jinja;

/// <summary>
/// A runtime error inside an expression. The statement that evaluates the expression turns it into a
/// <see cref="ChatTemplateException"/> that carries the statement's line.
/// </summary>
internal sealed class TemplateEvaluationException : Exception
{
    /// <summary>Creates an error; <paramref name="raisedByTemplate"/> marks a call to <c>raise_exception</c>.</summary>
    public TemplateEvaluationException(string message, bool raisedByTemplate = false)
        : base(message) => RaisedByTemplate = raisedByTemplate;

    /// <summary>Whether the template raised this error itself through <c>raise_exception</c>.</summary>
    public bool RaisedByTemplate { get; }
}
