using System.Runtime.CompilerServices;
using OffGrid.Inference.Templates.Jinja.Nodes;

namespace OffGrid.Inference.Templates.Jinja;

/// <summary>A parsed Jinja2 template: parse once, render many times, from any number of threads.</summary>
internal sealed class JinjaTemplate
{
    private readonly List<Statement> _body;

    private JinjaTemplate(List<Statement> body) => _body = body;

    /// <summary>Parses <paramref name="source"/>.</summary>
    /// <exception cref="ChatTemplateException">The template is not valid.</exception>
    public static JinjaTemplate Parse(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return new JinjaTemplate(TemplateParser.Parse(source));
    }

    /// <summary>Renders the template with <paramref name="variables"/> (template values, see <see cref="ValueOperations"/>).</summary>
    /// <exception cref="ChatTemplateException">Rendering failed, or the template raised an exception itself.</exception>
    public string Render(IReadOnlyDictionary<string, object?> variables, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(variables);
        var context = new RenderContext(variables, time ?? TimeProvider.System);
        try
        {
            RuntimeHelpers.EnsureSufficientExecutionStack();
            Statement.RenderAll(_body, context);
        }
        catch (InsufficientExecutionStackException error)
        {
            throw new ChatTemplateException("The template nests too deeply to render.", error);
        }

        return context.Output.ToString();
    }
}
