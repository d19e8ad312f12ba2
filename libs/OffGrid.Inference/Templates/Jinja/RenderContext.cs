using System.Text;

namespace OffGrid.Inference.Templates.Jinja;

/// <summary>The state of one render: the variables passed in, the current scope and the output being written.</summary>
internal sealed class RenderContext
{
    /// <summary>How deep macros may call each other before the render fails instead of overflowing the stack.</summary>
    public const int MaxMacroDepth = 64;

    private readonly IReadOnlyDictionary<string, object?> _variables;

    /// <summary>Starts a render with the caller's <paramref name="variables"/>; <paramref name="time"/> serves <c>strftime_now</c>.</summary>
    public RenderContext(IReadOnlyDictionary<string, object?> variables, TimeProvider time)
    {
        _variables = variables;
        Time = time;
        Scope = new Scope(null);
    }

    /// <summary>The innermost scope; statements assign here.</summary>
    public Scope Scope { get; set; }

    /// <summary>Where text is written; swapped while a macro, block <c>set</c> or <c>filter</c> block captures output.</summary>
    public StringBuilder Output { get; set; } = new();

    /// <summary>The clock for <c>strftime_now</c>.</summary>
    public TimeProvider Time { get; }

    /// <summary>How many macro calls are active.</summary>
    public int MacroDepth { get; set; }

    /// <summary>Resolves a variable: scopes first, then the caller's variables, then the built-in globals.</summary>
    public object? Lookup(string name)
    {
        if (Scope.TryGet(name, out object? value) || _variables.TryGetValue(name, out value))
        {
            return value;
        }

        return BuiltinGlobals.TryGet(name, out var global) ? global : Undefined.Variable(name);
    }
}
