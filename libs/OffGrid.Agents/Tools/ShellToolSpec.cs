namespace OffGrid.Agents.Tools;

/// <summary>
/// How a shell tool runs its program: <c>command</c> is an argument vector, never a shell string. Its first element is the
/// program (no placeholders; it must be allowed by <see cref="ShellToolOptions.AllowedExecutables"/>); the others may hold
/// <c>{argument}</c> placeholders, each replaced by one argument's value as it is.
/// </summary>
public sealed class ShellToolSpec
{
    /// <summary>Gets or sets the argument vector, for example <c>["grep", "-rn", "--", "{pattern}", "."]</c>.</summary>
    public IList<string> Command { get; set; } = [];

    /// <summary>
    /// Gets or sets the folder the program runs in and to which <c>"format": "path"</c> arguments are confined (an absolute
    /// path); <see langword="null"/> uses <see cref="ShellToolOptions.WorkspaceDirectory"/>.
    /// </summary>
    public string? WorkingDirectory { get; set; }

    /// <summary>Gets or sets the seconds the program may run (capped by <see cref="ShellToolOptions.MaxTimeout"/>); default 30.</summary>
    public double? TimeoutSeconds { get; set; }

    /// <summary>Gets or sets the most bytes of output (standard output and error together) before the program is stopped; default 64 KiB.</summary>
    public int? MaxOutputBytes { get; set; }

    /// <summary>Gets or sets environment variables for the program. Nothing else is inherited except <c>PATH</c>, <c>HOME</c> and <c>LANG</c>.</summary>
    public IDictionary<string, string> Env { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
