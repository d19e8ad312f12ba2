namespace OffGrid.Inference.Templates.Jinja.Nodes;

/// <summary>
/// Where <c>set</c> or <c>for</c> stores values: one name, several names unpacked from a sequence, or
/// <c>namespace.attribute</c>.
/// </summary>
internal sealed class AssignmentTarget
{
    private readonly IReadOnlyList<string> _names;
    private readonly string? _attribute;

    private AssignmentTarget(IReadOnlyList<string> names, string? attribute)
    {
        _names = names;
        _attribute = attribute;
    }

    /// <summary>Stores into a variable, or unpacks into several.</summary>
    public static AssignmentTarget Names(IReadOnlyList<string> names) => new(names, null);

    /// <summary>Stores into an attribute of the namespace held by variable <paramref name="name"/>.</summary>
    public static AssignmentTarget NamespaceAttribute(string name, string attribute) => new([name], attribute);

    /// <summary>Stores <paramref name="value"/>.</summary>
    public void Assign(RenderContext context, object? value)
    {
        if (_attribute is not null)
        {
            if (context.Lookup(_names[0]) is not TemplateNamespace ns)
            {
                throw new TemplateEvaluationException($"cannot assign attribute on non-namespace object '{_names[0]}'");
            }

            ns.Attributes[_attribute] = value;
            return;
        }

        if (_names.Count == 1)
        {
            context.Scope.Set(_names[0], value);
            return;
        }

        var items = ValueOperations.Iterate(value);
        if (items.Count != _names.Count)
        {
            throw new TemplateEvaluationException($"cannot unpack {items.Count} values into {_names.Count} names");
        }

        for (int i = 0; i < items.Count; i++)
        {
            context.Scope.Set(_names[i], items[i]);
        }
    }
}
