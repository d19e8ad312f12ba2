namespace OffGrid.Inference.Templates.Jinja;

/// <summary>The Python list methods templates call (<c>append</c>, <c>pop</c>, <c>index</c>, ...); tuples get the read-only ones.</summary>
internal static class ListMethods
{
    /// <summary>Binds method <paramref name="name"/> to <paramref name="list"/>, or returns <see langword="null"/> if there is none.</summary>
    public static TemplateCallable? Bind(List<object?> list, string name) => name switch
    {
        "append" => new BuiltinFunction(name, (arguments, _) => Mutate(() => list.Add(arguments.Required(0, "object", name)))),
        "extend" => new BuiltinFunction(name, (arguments, _) => Mutate(() => list.AddRange(ValueOperations.Iterate(arguments.Required(0, "iterable", name))))),
        "insert" => new BuiltinFunction(name, (arguments, _) => Mutate(() => list.Insert(
            (int)Math.Clamp(Normalize(arguments.GetInteger(0, "index", 0), list.Count), 0, list.Count), arguments.Required(1, "object", name)))),
        "pop" => new BuiltinFunction(name, (arguments, _) => Pop(list, arguments)),
        "remove" => new BuiltinFunction(name, (arguments, _) => Mutate(() => list.RemoveAt(IndexOf(list, arguments.Required(0, "value", name))))),
        "copy" => new BuiltinFunction(name, (_, _) => new List<object?>(list)),
        "reverse" => new BuiltinFunction(name, (_, _) => Mutate(list.Reverse)),
        _ => BindReadOnly(list, name),
    };

    /// <summary>Binds the methods lists and tuples share.</summary>
    public static TemplateCallable? BindReadOnly(IList<object?> items, string name) => name switch
    {
        "index" => new BuiltinFunction(name, (arguments, _) => (long)IndexOf(items, arguments.Required(0, "value", name))),
        "count" => new BuiltinFunction(name, (arguments, _) =>
            (long)items.Count(item => ValueOperations.AreEqual(item, arguments.Required(0, "value", name)))),
        _ => null,
    };

    private static object? Mutate(Action change)
    {
        change();
        return null;
    }

    private static object? Pop(List<object?> list, CallArguments arguments)
    {
        long index = Normalize(arguments.GetInteger(0, "index", -1), list.Count);
        if (index < 0 || index >= list.Count)
        {
            throw new TemplateEvaluationException("pop index out of range");
        }

        object? value = list[(int)index];
        list.RemoveAt((int)index);
        return value;
    }

    private static int IndexOf(IList<object?> items, object? value)
    {
        for (int i = 0; i < items.Count; i++)
        {
            if (ValueOperations.AreEqual(items[i], value))
            {
                return i;
            }
        }

        throw new TemplateEvaluationException($"{ValueFormatter.Repr(value)} is not in list");
    }

    private static long Normalize(long index, int count) => index < 0 ? index + count : index;
}
