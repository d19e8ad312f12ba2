namespace OffGrid.Inference.Templates.Jinja;

/// <summary>The <c>loop</c> variable inside a <c>for</c> block: position, neighbours and <c>cycle</c>.</summary>
internal sealed class LoopState(IReadOnlyList<object?> items)
{
    /// <summary>The 0-based position of the current item.</summary>
    public int Index0 { get; set; }

    /// <summary>The 1-based position of the current item.</summary>
    public long Index => Index0 + 1;

    /// <summary>How many items the loop visits (after its <c>if</c> filter).</summary>
    public long Length => items.Count;

    /// <summary>Reads one of the attributes Jinja's loop context offers.</summary>
    public object? GetAttribute(string name) => name switch
    {
        "index" => Index,
        "index0" => (long)Index0,
        "revindex" => Length - Index0,
        "revindex0" => Length - Index0 - 1,
        "first" => Index0 == 0,
        "last" => Index0 == items.Count - 1,
        "length" => Length,
        "depth" => 1L,
        "depth0" => 0L,
        "previtem" => Index0 > 0 ? items[Index0 - 1] : Undefined.Member(this, name),
        "nextitem" => Index0 + 1 < items.Count ? items[Index0 + 1] : Undefined.Member(this, name),
        "cycle" => new BuiltinFunction("cycle", (arguments, _) => arguments.Positional.Count == 0
            ? throw new TemplateEvaluationException("no items for cycling given")
            : arguments.Positional[Index0 % arguments.Positional.Count]),
        _ => Undefined.Member(this, name),
    };
}
