using OffGrid.Inference.Templates.Jinja;

namespace OffGrid.Inference.Tests.Templates;

/// <summary>Renders a template string with variables given as a JSON object, for engine-level tests.</summary>
internal static class JinjaTestRenderer
{
    /// <summary>Parses and renders <paramref name="template"/>; <paramref name="variablesJson"/> is a JSON object or <see langword="null"/>.</summary>
    public static string Render(string template, string? variablesJson = null, TimeProvider? time = null)
    {
        var variables = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (variablesJson is not null && TemplateJson.Parse(variablesJson) is TemplateDict dict)
        {
            foreach (var pair in dict)
            {
                variables[(string)pair.Key] = pair.Value;
            }
        }

        return JinjaTemplate.Parse(template).Render(variables, time);
    }
}
