namespace OffGrid.Inference.Templates.Jinja;

/// <summary>
/// The object <c>namespace(...)</c> returns: the one kind of object whose attributes a template may assign with
/// <c>{% set ns.x = ... %}</c>, which is how templates carry state out of loops.
/// </summary>
internal sealed class TemplateNamespace
{
    /// <summary>The attributes, in the order they were first set.</summary>
    public TemplateDict Attributes { get; } = new();
}
