namespace OffGrid.Inference.Templates.Jinja;

/// <summary>
/// Jinja's default undefined value: prints as nothing, is falsy, iterates as empty, but fails when a template reads an
/// attribute from it or does arithmetic with it.
/// </summary>
internal sealed class Undefined
{
    /// <summary>An undefined value with no particular origin.</summary>
    public static readonly Undefined Instance = new("value is undefined");

    private Undefined(string description) => Description = description;

    /// <summary>Why the value is undefined, phrased as Jinja's error message (<c>'x' is undefined</c>).</summary>
    public string Description { get; }

    /// <summary>The value of a variable that was never set.</summary>
    public static Undefined Variable(string name) => new($"'{name}' is undefined");

    /// <summary>The value of a missing attribute or key of <paramref name="owner"/>.</summary>
    public static Undefined Member(object? owner, object? member) =>
        new($"'{ValueFormatter.TypeName(owner)} object' has no attribute {ValueFormatter.Repr(member)}");
}
