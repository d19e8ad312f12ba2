namespace OffGrid.Inference.Templates.Jinja;

/// <summary>A test (<c>x is name</c>): checks <paramref name="value"/> using <paramref name="arguments"/>.</summary>
internal delegate bool TestFunction(object? value, CallArguments arguments);
