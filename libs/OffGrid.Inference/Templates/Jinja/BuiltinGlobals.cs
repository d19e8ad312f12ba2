using System.Collections.Frozen;

namespace OffGrid.Inference.Templates.Jinja;

/// <summary>
/// The global functions chat templates call: Jinja's <c>range</c>, <c>namespace</c> and <c>dict</c>, and the
/// <c>raise_exception</c> and <c>strftime_now</c> that Hugging Face adds.
/// </summary>
internal static class BuiltinGlobals
{
    /// <summary>The largest list <c>range</c> builds, as in Jinja's sandbox.</summary>
    public const int MaxRange = 100_000;

    private static readonly FrozenDictionary<string, TemplateCallable> s_globals = new Dictionary<string, TemplateCallable>(StringComparer.Ordinal)
    {
        ["range"] = new BuiltinFunction("range", (arguments, _) => Range(arguments)),
        ["namespace"] = new BuiltinFunction("namespace", (arguments, _) =>
        {
            var ns = new TemplateNamespace();
            DictMethods.Merge(ns.Attributes, arguments);
            return ns;
        }),
        ["dict"] = new BuiltinFunction("dict", (arguments, _) =>
        {
            var dict = new TemplateDict();
            DictMethods.Merge(dict, arguments);
            return dict;
        }),
        ["raise_exception"] = new BuiltinFunction("raise_exception", (arguments, _) =>
            throw new TemplateEvaluationException(arguments.GetString(0, "message") ?? "raise_exception called", raisedByTemplate: true)),
        ["strftime_now"] = new BuiltinFunction("strftime_now", (arguments, context) =>
            StrftimeFormatter.Format(context.Time.GetLocalNow(), arguments.GetString(0, "format") ?? string.Empty)),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Finds the global called <paramref name="name"/>.</summary>
    public static bool TryGet(string name, out TemplateCallable global) => s_globals.TryGetValue(name, out global!);

    private static List<object?> Range(CallArguments arguments)
    {
        long start = 0;
        long stop;
        long step = 1;
        if (arguments.Positional.Count == 1)
        {
            stop = ValueOperations.ToInteger(arguments.Positional[0]);
        }
        else
        {
            start = ValueOperations.ToInteger(arguments.Required(0, "start", "range"));
            stop = ValueOperations.ToInteger(arguments.Required(1, "stop", "range"));
            step = arguments.GetInteger(2, "step", 1);
        }

        if (step == 0)
        {
            throw new TemplateEvaluationException("range() arg 3 must not be zero");
        }

        var values = new List<object?>();
        for (long i = start; step > 0 ? i < stop : i > stop; i += step)
        {
            if (values.Count >= MaxRange)
            {
                throw new TemplateEvaluationException($"range() is limited to {MaxRange} items");
            }

            values.Add(i);
        }

        return values;
    }
}
