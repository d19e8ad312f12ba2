namespace OffGrid.Agents;

/// <summary>
/// The limits every shell tool runs under, set by whoever runs OffGrid rather than by a tool's author: which programs may
/// run at all, the search path they are found on, and the folder tools work in when they name none.
/// </summary>
/// <remarks>Configure once before tools are created; read-only afterwards and then safe to share between threads.</remarks>
public sealed class ShellToolOptions
{
    /// <summary>
    /// Gets the programs shell tools may start: bare names (<c>ls</c>, found on <see cref="SearchPath"/>) or absolute paths.
    /// Empty by default, so no shell tool runs until an administrator allows its program.
    /// </summary>
    public IList<string> AllowedExecutables { get; } = [];

    /// <summary>Gets or sets the <c>PATH</c> a tool's program is found on and runs with (the tool's environment is otherwise empty).</summary>
    public string SearchPath { get; set; } = "/usr/local/bin:/usr/bin:/bin";

    /// <summary>
    /// Gets or sets the folder a tool runs in, and confines its path arguments to, when its definition names none;
    /// <see langword="null"/> is <c>workspace</c> under <see cref="AgentOptions.HomeDirectory"/>.
    /// </summary>
    public string? WorkspaceDirectory { get; set; }

    /// <summary>Gets or sets the most a tool may run unless its definition sets less.</summary>
    public TimeSpan MaxTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets or sets the most output, in bytes, a tool may write (standard output and error together) unless its definition sets less.</summary>
    public int MaxOutputBytes { get; set; } = 1024 * 1024;

    internal IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(SearchPath))
        {
            yield return $"Shell.{nameof(SearchPath)} must list at least one folder.";
        }

        if (WorkspaceDirectory is { } workspace && !Path.IsPathFullyQualified(workspace))
        {
            yield return $"Shell.{nameof(WorkspaceDirectory)} must be an absolute path.";
        }

        if (MaxTimeout <= TimeSpan.Zero)
        {
            yield return $"Shell.{nameof(MaxTimeout)} must be positive.";
        }

        if (MaxOutputBytes <= 0)
        {
            yield return $"Shell.{nameof(MaxOutputBytes)} must be positive.";
        }

        foreach (string executable in AllowedExecutables)
        {
            if (string.IsNullOrWhiteSpace(executable) || (executable.Contains('/', StringComparison.Ordinal) && !Path.IsPathFullyQualified(executable)))
            {
                yield return $"Shell.{nameof(AllowedExecutables)}: '{executable}' must be a program name or an absolute path.";
            }
        }
    }
}
