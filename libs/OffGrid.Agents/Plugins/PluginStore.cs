using OffGrid.Agents.Mcp;

namespace OffGrid.Agents.Plugins;

/// <summary>
/// The plugins folder: one subfolder per plugin, each with an <see cref="PluginManifest.FileName"/>. A plugin is enabled
/// unless its folder holds a <c>.disabled</c> marker. Enabled plugins appear as MCP servers named after them.
/// </summary>
/// <remarks>Thread-safe: every call reads the folder anew.</remarks>
public sealed class PluginStore
{
    private const string DisabledMarker = ".disabled";

    /// <summary>Opens the plugins folder at <paramref name="directory"/>; it need not exist.</summary>
    /// <param name="directory">The plugins folder.</param>
    public PluginStore(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory = Path.GetFullPath(directory);
    }

    /// <summary>Gets the plugins folder.</summary>
    public string Directory { get; }

    /// <summary>Lists the installed plugins, sorted by name; a plugin with an invalid manifest is listed with its error.</summary>
    /// <returns>The plugins.</returns>
    public IReadOnlyList<PluginInfo> List()
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return [];
        }

        var plugins = new List<PluginInfo>();
        foreach (string folder in System.IO.Directory.EnumerateDirectories(Directory).Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(folder);
            bool enabled = !File.Exists(Path.Combine(folder, DisabledMarker));
            try
            {
                PluginManifest manifest = PluginManifest.Read(folder);
                plugins.Add(new PluginInfo(name, manifest.Version, manifest.Description, enabled, folder, manifest.Name == name ? null : $"The manifest names '{manifest.Name}', but the folder is '{name}'."));
            }
            catch (ToolDefinitionException ex)
            {
                plugins.Add(new PluginInfo(name, null, null, enabled, folder, ex.Message));
            }
        }

        return plugins;
    }

    /// <summary>Copies the plugin in <paramref name="sourceFolder"/> into the plugins folder, enabled.</summary>
    /// <param name="sourceFolder">A folder with a valid manifest.</param>
    /// <returns>The installed plugin.</returns>
    /// <exception cref="ToolDefinitionException">The manifest is invalid, or a plugin of that name is installed.</exception>
    public PluginInfo Add(string sourceFolder)
    {
        ArgumentNullException.ThrowIfNull(sourceFolder);
        PluginManifest manifest = PluginManifest.Read(Path.GetFullPath(sourceFolder));
        string target = Path.Combine(Directory, manifest.Name!);
        if (System.IO.Directory.Exists(target))
        {
            throw new ToolDefinitionException($"A plugin named '{manifest.Name}' is already installed; remove it first.", "name");
        }

        System.IO.Directory.CreateDirectory(Directory);
        string staging = Path.Combine(Directory, $".{manifest.Name}.{Guid.NewGuid():N}.tmp");
        CopyFolder(Path.GetFullPath(sourceFolder), staging);
        System.IO.Directory.Move(staging, target);
        return List().Single(p => p.Name == manifest.Name);
    }

    /// <summary>Enables or disables the plugin <paramref name="name"/>.</summary>
    /// <param name="name">The plugin's name.</param>
    /// <param name="enabled">Whether its MCP server is offered.</param>
    /// <exception cref="ToolNotFoundException">No plugin has that name.</exception>
    public void SetEnabled(string name, bool enabled)
    {
        string marker = Path.Combine(FolderOf(name), DisabledMarker);
        if (enabled)
        {
            File.Delete(marker);
        }
        else
        {
            File.WriteAllText(marker, string.Empty);
        }
    }

    /// <summary>Deletes the plugin <paramref name="name"/> and its folder.</summary>
    /// <param name="name">The plugin's name.</param>
    /// <exception cref="ToolNotFoundException">No plugin has that name.</exception>
    public void Remove(string name) => System.IO.Directory.Delete(FolderOf(name), recursive: true);

    /// <summary>The MCP servers of the enabled, valid plugins, by plugin name.</summary>
    internal IEnumerable<(string Name, McpServerConfig Config)> EnabledServers()
    {
        foreach (PluginInfo plugin in List().Where(p => p.Enabled && p.Error is null))
        {
            yield return (plugin.Name, PluginManifest.Read(plugin.Directory).ServerIn(plugin.Directory));
        }
    }

    private string FolderOf(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string folder = Path.Combine(Directory, name);
        if (name.Length == 0 || name.Contains('/', StringComparison.Ordinal) || name.Contains('\\', StringComparison.Ordinal) || name.StartsWith('.') || !System.IO.Directory.Exists(folder))
        {
            string known = string.Join(", ", List().Select(p => p.Name));
            throw new ToolNotFoundException(name, $"No plugin is named '{name}'." + (known.Length > 0 ? $" Installed: {known}." : " None is installed."));
        }

        return folder;
    }

    private static void CopyFolder(string source, string target)
    {
        System.IO.Directory.CreateDirectory(target);
        foreach (string file in System.IO.Directory.EnumerateFiles(source))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(Path.Combine(target, Path.GetFileName(file)), File.GetUnixFileMode(file));
            }
        }

        foreach (string folder in System.IO.Directory.EnumerateDirectories(source))
        {
            CopyFolder(folder, Path.Combine(target, Path.GetFileName(folder)));
        }
    }
}
