namespace OffGrid.Inference.Templates.Jinja;

/// <summary>A filter: transforms <paramref name="value"/> using <paramref name="arguments"/>.</summary>
internal delegate object? FilterFunction(object? value, CallArguments arguments);
