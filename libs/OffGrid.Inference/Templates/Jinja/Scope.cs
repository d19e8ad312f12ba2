namespace OffGrid.Inference.Templates.Jinja;

/// <summary>
/// One level of variables: the template's top level, a <c>for</c> body or a macro call. Assignments stay in the level
/// they are made in, which is why templates need <c>namespace()</c> to carry values out of loops.
/// </summary>
internal sealed class Scope(Scope? parent)
{
    private Dictionary<string, object?>? _variables;

    /// <summary>Finds <paramref name="name"/> here or in an enclosing level.</summary>
    public bool TryGet(string name, out object? value)
    {
        for (Scope? scope = this; scope is not null; scope = scope.Parent)
        {
            if (scope._variables is not null && scope._variables.TryGetValue(name, out value))
            {
                return true;
            }
        }

        value = null;
        return false;
    }

    /// <summary>The enclosing level, or <see langword="null"/> at the top.</summary>
    public Scope? Parent { get; } = parent;

    /// <summary>Assigns <paramref name="name"/> in this level.</summary>
    public void Set(string name, object? value) => (_variables ??= new(StringComparer.Ordinal))[name] = value;
}
