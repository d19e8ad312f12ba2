using System.Text.RegularExpressions;

namespace OffGrid.Agents.Templates;

/// <summary>
/// What an agent is: its instructions, the tools it may call (names as <see cref="Toolbox.GetToolsAsync"/> takes them: a
/// custom tool, a plugin, an MCP server or <c>server/tool</c>), its sampling, its budget and whether it keeps long-term memory.
/// Stored as <c>&lt;name&gt;.json</c> in the agents folder (camelCase fields).
/// </summary>
/// <remarks>Immutable; safe to share between threads.</remarks>
public sealed partial record AgentTemplate
{
    /// <summary>Gets the name: lower-case letters, digits and <c>-</c>, at most 64 characters; not <c>runs</c>, which the HTTP API's run routes use.</summary>
    public required string Name { get; init; }

    /// <summary>Gets a one-line description for listings.</summary>
    public string? Description { get; init; }

    /// <summary>The most characters <see cref="Instructions"/> may hold (64 Ki): every model call of the agent sends them.</summary>
    public const int MaxInstructionsLength = 64 * 1024;

    /// <summary>Gets the system instructions, at most <see cref="MaxInstructionsLength"/> characters.</summary>
    public required string Instructions { get; init; }

    /// <summary>Gets the tools the agent may call (Toolbox names); empty for none.</summary>
    public IReadOnlyList<string> Tools { get; init; } = [];

    /// <summary>Gets whether the model may, must or must not call tools on its first step.</summary>
    public AgentToolMode ToolMode { get; init; }

    /// <summary>Gets the sampling temperature; <see langword="null"/> for the model's default.</summary>
    public float? Temperature { get; init; }

    /// <summary>Gets the most tokens one model call may write; <see langword="null"/> for the model's default.</summary>
    public int? MaxOutputTokens { get; init; }

    /// <summary>Gets whether the agent gets the <c>remember</c> tool and sees the facts it stored in earlier runs.</summary>
    public bool Memory { get; init; }

    /// <summary>Gets the budget of each run.</summary>
    public AgentBudget Budget { get; init; } = new();

    /// <summary>Gets whether <paramref name="name"/> is a usable template name.</summary>
    /// <param name="name">The name to check.</param>
    /// <returns><see langword="true"/> when it is.</returns>
    public static bool IsValidName(string? name) => name is not null && NamePattern().IsMatch(name) && name != "runs";

    /// <summary>Lists what is wrong with this template, each message naming the field.</summary>
    /// <returns>One message per invalid field; empty when the template is usable.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!IsValidName(Name))
        {
            errors.Add("name must be 1-64 lower-case letters, digits or '-', starting with a letter or digit, and not 'runs'.");
        }

        if (string.IsNullOrWhiteSpace(Instructions))
        {
            errors.Add("instructions must not be empty.");
        }
        else if (Instructions.Length > MaxInstructionsLength)
        {
            errors.Add($"instructions must be at most {MaxInstructionsLength} characters; they are {Instructions.Length}.");
        }

        if (Tools is null || Tools.Any(string.IsNullOrWhiteSpace))
        {
            errors.Add("tools must be a list of tool names.");
        }

        if (Temperature is < 0 or > 2)
        {
            errors.Add("temperature must be between 0 and 2.");
        }

        if (MaxOutputTokens is < 1)
        {
            errors.Add("maxOutputTokens must be at least 1.");
        }

        if (Budget is null)
        {
            errors.Add("budget must be an object.");
        }
        else
        {
            errors.AddRange(Budget.Validate());
        }

        return errors;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
