namespace OffGrid.Inference.Templates.Jinja;

/// <summary>The Python dict methods templates call: <c>items</c>, <c>keys</c>, <c>values</c>, <c>get</c> and a few mutators.</summary>
internal static class DictMethods
{
    /// <summary>Binds method <paramref name="name"/> to <paramref name="dict"/>, or returns <see langword="null"/> if there is none.</summary>
    public static TemplateCallable? Bind(TemplateDict dict, string name) => name switch
    {
        "items" => new BuiltinFunction(name, (_, _) => Items(dict)),
        "keys" => new BuiltinFunction(name, (_, _) => dict.Keys.ToList<object?>()),
        "values" => new BuiltinFunction(name, (_, _) => dict.Values.ToList()),
        "get" => new BuiltinFunction(name, (arguments, _) =>
            arguments.Required(0, "key", name) is { } key && dict.TryGetValue(key, out object? value) ? value : arguments.Get(1, "default")),
        "copy" => new BuiltinFunction(name, (_, _) => Copy(dict)),
        "pop" => new BuiltinFunction(name, (arguments, _) => Pop(dict, arguments)),
        "setdefault" => new BuiltinFunction(name, (arguments, _) => SetDefault(dict, arguments)),
        "update" => new BuiltinFunction(name, (arguments, _) =>
        {
            Merge(dict, arguments);
            return null;
        }),
        _ => null,
    };

    /// <summary>Python's <c>dict.items()</c> as a list of (key, value) tuples.</summary>
    public static List<object?> Items(TemplateDict dict) => dict.Select(pair => (object?)new object?[] { pair.Key, pair.Value }).ToList();

    private static TemplateDict Copy(TemplateDict dict)
    {
        var copy = new TemplateDict(dict.Count);
        foreach (var pair in dict)
        {
            copy[pair.Key] = pair.Value;
        }

        return copy;
    }

    private static object? Pop(TemplateDict dict, CallArguments arguments)
    {
        object key = arguments.Required(0, "key", "pop") ?? throw new TemplateEvaluationException("dict keys cannot be None");
        if (dict.Remove(key, out object? value))
        {
            return value;
        }

        return arguments.TryGet(1, "default", out object? fallback)
            ? fallback
            : throw new TemplateEvaluationException($"KeyError: {ValueFormatter.Repr(key)}");
    }

    private static object? SetDefault(TemplateDict dict, CallArguments arguments)
    {
        object key = arguments.Required(0, "key", "setdefault") ?? throw new TemplateEvaluationException("dict keys cannot be None");
        if (!dict.TryGetValue(key, out object? value))
        {
            value = arguments.Get(1, "default");
            dict[key] = value;
        }

        return value;
    }

    /// <summary>Copies a dict given positionally and then the keyword arguments, like Python's <c>dict.update(mapping, **kwargs)</c>.</summary>
    public static void Merge(TemplateDict target, CallArguments arguments)
    {
        if (arguments.Positional.Count > 0 && arguments.Positional[0] is TemplateDict source)
        {
            foreach (var pair in source)
            {
                target[pair.Key] = pair.Value;
            }
        }

        foreach (var pair in arguments.Named)
        {
            target[pair.Key] = pair.Value;
        }
    }
}
