namespace OffGrid.Inference.Templates.Jinja;

/// <summary>How a statement ended: normally, or by <c>{% break %}</c> / <c>{% continue %}</c> that the enclosing loop must honour.</summary>
internal enum LoopControl
{
    /// <summary>Rendering goes on with the next statement.</summary>
    None,

    /// <summary>The enclosing loop stops.</summary>
    Break,

    /// <summary>The enclosing loop moves to its next item.</summary>
    Continue,
}
