namespace OffGrid.Inference.Templates.Jinja.Nodes;

/// <summary>The parsed arguments of a call, filter or test: positional expressions, then <c>name=value</c> pairs.</summary>
internal sealed class ArgumentList(IReadOnlyList<Expression> positional, IReadOnlyList<KeyValuePair<string, Expression>> named)
{
    /// <summary>No arguments.</summary>
    public static readonly ArgumentList Empty = new([], []);

    /// <summary>Evaluates every argument, left to right.</summary>
    public CallArguments Evaluate(RenderContext context)
    {
        if (positional.Count == 0 && named.Count == 0)
        {
            return CallArguments.Empty;
        }

        var values = new object?[positional.Count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = positional[i].Evaluate(context);
        }

        var pairs = new KeyValuePair<string, object?>[named.Count];
        for (int i = 0; i < pairs.Length; i++)
        {
            pairs[i] = new(named[i].Key, named[i].Value.Evaluate(context));
        }

        return new CallArguments(values, pairs);
    }
}
