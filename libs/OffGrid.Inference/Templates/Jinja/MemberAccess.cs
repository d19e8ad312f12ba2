namespace OffGrid.Inference.Templates.Jinja;

/// <summary>
/// Jinja's <c>getattr</c>/<c>getitem</c>: <c>x.name</c> prefers methods and attributes, <c>x[key]</c> prefers items,
/// each falling back to the other; anything missing is <see cref="Undefined"/>. Reading from undefined gives undefined
/// again, as llama.cpp's template engine does (Python Jinja2 raises): templates such as Command R+'s read a tool
/// parameter's <c>description</c> whether or not it has one.
/// </summary>
internal static class MemberAccess
{
    /// <summary>Evaluates <c>owner.name</c>.</summary>
    public static object? GetAttribute(object? owner, string name) => owner switch
    {
        Undefined undefined => undefined,
        TemplateDict dict => (object?)DictMethods.Bind(dict, name) ?? (dict.TryGetValue(name, out object? value) ? value : Undefined.Member(owner, name)),
        string s => (object?)StringMethods.Bind(s, name) ?? Undefined.Member(owner, name),
        List<object?> list => (object?)ListMethods.Bind(list, name) ?? Undefined.Member(owner, name),
        object?[] tuple => (object?)ListMethods.BindReadOnly(tuple, name) ?? Undefined.Member(owner, name),
        TemplateNamespace ns => ns.Attributes.TryGetValue(name, out object? value) ? value : Undefined.Member(owner, name),
        LoopState loop => loop.GetAttribute(name),
        _ => Undefined.Member(owner, name),
    };

    /// <summary>Evaluates <c>owner[key]</c>; negative indexes count from the end.</summary>
    public static object? GetItem(object? owner, object? key)
    {
        switch (owner)
        {
            case Undefined undefined:
                return undefined;
            case TemplateDict dict when key is not null && dict.TryGetValue(key, out object? value):
                return value;
            case IList<object?> list when key is long or bool:
                long index = Normalize(ValueOperations.ToInteger(key), list.Count);
                return index >= 0 && index < list.Count ? list[(int)index] : Undefined.Member(owner, key);
            case string s when key is long or bool:
                long position = Normalize(ValueOperations.ToInteger(key), s.Length);
                return position >= 0 && position < s.Length ? s[(int)position].ToString() : Undefined.Member(owner, key);
            default:
                return key is string name ? GetAttribute(owner, name) : Undefined.Member(owner, key);
        }
    }

    /// <summary>Evaluates <c>owner[start:stop:step]</c> on a list, tuple or string.</summary>
    public static object? Slice(object? owner, object? start, object? stop, object? step)
    {
        long stride = step is null or Undefined ? 1 : ValueOperations.ToInteger(step);
        if (stride == 0)
        {
            throw new TemplateEvaluationException("slice step cannot be zero");
        }

        int count = owner switch
        {
            string s => s.Length,
            IList<object?> list => list.Count,
            Undefined undefined => throw new TemplateEvaluationException(undefined.Description),
            _ => throw new TemplateEvaluationException($"'{ValueFormatter.TypeName(owner)}' object is not subscriptable"),
        };

        var indexes = SliceIndexes(count, start, stop, stride);
        return owner switch
        {
            string s => string.Concat(indexes.Select(i => s[i])),
            object?[] tuple => indexes.Select(i => tuple[i]).ToArray(),
            _ => indexes.Select(i => ((IList<object?>)owner)[i]).ToList(),
        };
    }

    private static List<int> SliceIndexes(int count, object? start, object? stop, long step)
    {
        long first = step > 0 ? 0 : count - 1;
        long last = step > 0 ? count : -1;
        if (start is not null and not Undefined)
        {
            first = Clamp(Normalize(ValueOperations.ToInteger(start), count), count, step);
        }

        if (stop is not null and not Undefined)
        {
            last = Clamp(Normalize(ValueOperations.ToInteger(stop), count), count, step);
        }

        var indexes = new List<int>();
        for (long i = first; step > 0 ? i < last : i > last; i += step)
        {
            indexes.Add((int)i);
        }

        return indexes;
    }

    private static long Normalize(long index, int count) => index < 0 ? index + count : index;

    private static long Clamp(long index, int count, long step) =>
        step > 0 ? Math.Clamp(index, 0, count) : Math.Clamp(index, -1, count - 1);
}
