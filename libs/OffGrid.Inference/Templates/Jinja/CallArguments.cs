namespace OffGrid.Inference.Templates.Jinja;

/// <summary>The positional and keyword arguments of one call, filter or test application.</summary>
internal sealed class CallArguments
{
    /// <summary>No arguments at all.</summary>
    public static readonly CallArguments Empty = new([], []);

    /// <summary>Creates an argument list.</summary>
    public CallArguments(IReadOnlyList<object?> positional, IReadOnlyList<KeyValuePair<string, object?>> named)
    {
        Positional = positional;
        Named = named;
    }

    /// <summary>The positional arguments, in order.</summary>
    public IReadOnlyList<object?> Positional { get; }

    /// <summary>The keyword arguments, in the order written.</summary>
    public IReadOnlyList<KeyValuePair<string, object?>> Named { get; }

    /// <summary>Finds the argument given at <paramref name="position"/> or by <paramref name="name"/>.</summary>
    public bool TryGet(int position, string name, out object? value)
    {
        if (position >= 0 && position < Positional.Count)
        {
            value = Positional[position];
            return true;
        }

        foreach (var pair in Named)
        {
            if (pair.Key == name)
            {
                value = pair.Value;
                return true;
            }
        }

        value = null;
        return false;
    }

    /// <summary>The argument at <paramref name="position"/> or named <paramref name="name"/>, or <paramref name="fallback"/>.</summary>
    public object? Get(int position, string name, object? fallback = null) =>
        TryGet(position, name, out object? value) ? value : fallback;

    /// <summary>The argument at <paramref name="position"/> or named <paramref name="name"/>; fails when it is missing.</summary>
    public object? Required(int position, string name, string function) =>
        TryGet(position, name, out object? value)
            ? value
            : throw new TemplateEvaluationException($"{function}() missing required argument '{name}'");

    /// <summary>An integer argument, or <paramref name="fallback"/> when it is absent or None.</summary>
    public long GetInteger(int position, string name, long fallback) =>
        Get(position, name) is { } value and not Undefined ? ValueOperations.ToInteger(value) : fallback;

    /// <summary>A truth-valued argument, or <paramref name="fallback"/> when it is absent.</summary>
    public bool GetBoolean(int position, string name, bool fallback) =>
        TryGet(position, name, out object? value) ? ValueOperations.IsTruthy(value) : fallback;

    /// <summary>A string argument, or <paramref name="fallback"/> when it is absent or None.</summary>
    public string? GetString(int position, string name, string? fallback = null) =>
        Get(position, name) is { } value and not Undefined ? ValueFormatter.ToStr(value) : fallback;
}
