namespace OffGrid.Hub;

/// <summary>Settings of the OffGrid model hub: where models are kept.</summary>
/// <remarks>Plain settings object; not thread-safe while being configured.</remarks>
public sealed class HubOptions
{
    /// <summary>Gets or sets the OffGrid home folder; <c>OFFGRID_HOME</c>, else <c>~/.offgrid</c>.</summary>
    public string HomeDirectory { get; set; } = DefaultHomeDirectory();

    /// <summary>Gets the default home folder: <c>OFFGRID_HOME</c> when set, else <c>.offgrid</c> in the user profile.</summary>
    /// <returns>The folder path.</returns>
    public static string DefaultHomeDirectory() =>
        Environment.GetEnvironmentVariable("OFFGRID_HOME") is { Length: > 0 } home
            ? home
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".offgrid");
}
