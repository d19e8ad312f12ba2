namespace OffGrid.Inference.Templates.Jinja;

/// <summary>A Python dict: insertion-ordered, keyed by Python equality.</summary>
internal sealed class TemplateDict : OrderedDictionary<object, object?>
{
    /// <summary>Creates an empty dict.</summary>
    public TemplateDict()
        : base(PythonKeyComparer.Instance)
    {
    }

    /// <summary>Creates an empty dict sized for <paramref name="capacity"/> entries.</summary>
    public TemplateDict(int capacity)
        : base(capacity, PythonKeyComparer.Instance)
    {
    }
}
