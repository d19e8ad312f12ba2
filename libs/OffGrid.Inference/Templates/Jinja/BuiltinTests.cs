using System.Collections.Frozen;

namespace OffGrid.Inference.Templates.Jinja;

/// <summary>Jinja's built-in tests (<c>x is defined</c>, <c>x is string</c>, <c>x is divisibleby 3</c>, ...).</summary>
internal static class BuiltinTests
{
    private static readonly FrozenDictionary<string, TestFunction> s_tests = new Dictionary<string, TestFunction>(StringComparer.Ordinal)
    {
        ["boolean"] = (value, _) => value is bool,
        ["callable"] = (value, _) => value is TemplateCallable,
        ["defined"] = (value, _) => value is not Undefined,
        ["divisibleby"] = (value, arguments) => ValueOperations.ToInteger(value) % ValueOperations.ToInteger(arguments.Required(0, "num", "divisibleby")) == 0,
        ["eq"] = Equal,
        ["equalto"] = Equal,
        ["=="] = Equal,
        ["escaped"] = (_, _) => false,
        ["even"] = (value, _) => ValueOperations.ToInteger(value) % 2 == 0,
        ["false"] = (value, _) => value is false,
        ["float"] = (value, _) => value is double,
        ["ge"] = (value, arguments) => Compare(value, arguments) >= 0,
        [">="] = (value, arguments) => Compare(value, arguments) >= 0,
        ["gt"] = (value, arguments) => Compare(value, arguments) > 0,
        [">"] = (value, arguments) => Compare(value, arguments) > 0,
        ["greaterthan"] = (value, arguments) => Compare(value, arguments) > 0,
        ["in"] = (value, arguments) => ValueOperations.Contains(arguments.Required(0, "seq", "in"), value),
        ["integer"] = (value, _) => value is long,
        ["iterable"] = (value, _) => value is string or IList<object?> or TemplateDict or Undefined,
        ["le"] = (value, arguments) => Compare(value, arguments) <= 0,
        ["<="] = (value, arguments) => Compare(value, arguments) <= 0,
        ["lower"] = (value, _) => value is string s && s.Any(char.IsLower) && !s.Any(char.IsUpper),
        ["lt"] = (value, arguments) => Compare(value, arguments) < 0,
        ["<"] = (value, arguments) => Compare(value, arguments) < 0,
        ["lessthan"] = (value, arguments) => Compare(value, arguments) < 0,
        ["mapping"] = (value, _) => value is TemplateDict,
        ["ne"] = (value, arguments) => !Equal(value, arguments),
        ["!="] = (value, arguments) => !Equal(value, arguments),
        ["none"] = (value, _) => value is null,
        ["number"] = (value, _) => ValueOperations.IsNumber(value),
        ["odd"] = (value, _) => ValueOperations.ToInteger(value) % 2 != 0,
        ["sameas"] = (value, arguments) => SameAs(value, arguments.Required(0, "other", "sameas")),
        ["sequence"] = (value, _) => value is string or IList<object?> or TemplateDict or Undefined,
        ["string"] = (value, _) => value is string,
        ["true"] = (value, _) => value is true,
        ["undefined"] = (value, _) => value is Undefined,
        ["upper"] = (value, _) => value is string s && s.Any(char.IsUpper) && !s.Any(char.IsLower),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Finds the test called <paramref name="name"/>.</summary>
    public static bool TryGet(string name, out TestFunction test) => s_tests.TryGetValue(name, out test!);

    private static bool Equal(object? value, CallArguments arguments) =>
        ValueOperations.AreEqual(value, arguments.Required(0, "other", "equalto"));

    private static int Compare(object? value, CallArguments arguments) =>
        ValueOperations.Compare(value, arguments.Required(0, "other", "compare"));

    /// <summary>Python's <c>is</c>: identity for objects, value identity for None, booleans and small immutable values.</summary>
    private static bool SameAs(object? value, object? other) => (value, other) switch
    {
        (null, null) => true,
        (bool a, bool b) => a == b,
        (long a, long b) => a == b,
        (string a, string b) => string.Equals(a, b, StringComparison.Ordinal),
        _ => ReferenceEquals(value, other),
    };
}
