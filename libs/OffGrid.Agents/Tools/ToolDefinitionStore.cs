namespace OffGrid.Agents.Tools;

/// <summary>The folder of custom tool definitions: <c>&lt;name&gt;.json</c> per tool, read anew on every call.</summary>
/// <remarks>Thread-safe; files are replaced atomically.</remarks>
public sealed class ToolDefinitionStore
{
    /// <summary>Opens the folder at <paramref name="directory"/>; it need not exist.</summary>
    /// <param name="directory">The folder.</param>
    public ToolDefinitionStore(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory = Path.GetFullPath(directory);
    }

    /// <summary>Gets the folder.</summary>
    public string Directory { get; }

    /// <summary>Lists every definition file, sorted by name; invalid files are listed with their error.</summary>
    /// <returns>The files.</returns>
    public IReadOnlyList<StoredTool> List()
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return [];
        }

        var tools = new List<StoredTool>();
        foreach (string path in System.IO.Directory.EnumerateFiles(Directory, "*.json").Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileNameWithoutExtension(path);
            try
            {
                ToolDefinition definition = ToolDefinition.Parse(File.ReadAllText(path));
                tools.Add(definition.Name == name
                    ? new StoredTool(name, path, definition, null)
                    : new StoredTool(name, path, null, $"The file is {name}.json but the tool is named '{definition.Name}'."));
            }
            catch (ToolDefinitionException ex)
            {
                tools.Add(new StoredTool(name, path, null, ex.Message));
            }
        }

        return tools;
    }

    /// <summary>Reads the definition of <paramref name="name"/>.</summary>
    /// <param name="name">The tool's name.</param>
    /// <returns>The definition.</returns>
    /// <exception cref="ToolNotFoundException">No file has that name.</exception>
    /// <exception cref="ToolDefinitionException">The file is invalid.</exception>
    public ToolDefinition Get(string name)
    {
        StoredTool? tool = List().FirstOrDefault(t => t.Name == name);
        if (tool is null)
        {
            throw new ToolNotFoundException(name, $"No custom tool is named '{name}' in {Directory}.");
        }

        return tool.Definition ?? throw new ToolDefinitionException($"{tool.Path}: {tool.Error}");
    }

    /// <summary>Checks <paramref name="definition"/> and writes it as <c>&lt;name&gt;.json</c>.</summary>
    /// <param name="definition">The definition.</param>
    /// <param name="replace">Whether an existing tool of that name may be replaced.</param>
    /// <param name="cancellationToken">Stops the write.</param>
    /// <returns>The file's path.</returns>
    /// <exception cref="ToolDefinitionException">The definition is invalid, or the tool exists and <paramref name="replace"/> is false.</exception>
    public async Task<string> SaveAsync(ToolDefinition definition, bool replace = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        definition.Validate();
        string path = Path.Combine(Directory, definition.Name + ".json");
        if (!replace && File.Exists(path))
        {
            throw new ToolDefinitionException($"A tool named '{definition.Name}' exists; remove it first or replace it.", "name");
        }

        System.IO.Directory.CreateDirectory(Directory);
        string temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        await File.WriteAllTextAsync(temporary, definition.ToJson() + "\n", cancellationToken).ConfigureAwait(false);
        File.Move(temporary, path, overwrite: true);
        return path;
    }

    /// <summary>Deletes the definition of <paramref name="name"/>.</summary>
    /// <param name="name">The tool's name.</param>
    /// <exception cref="ToolNotFoundException">No file has that name.</exception>
    public void Remove(string name)
    {
        StoredTool tool = List().FirstOrDefault(t => t.Name == name) ?? throw new ToolNotFoundException(name, $"No custom tool is named '{name}' in {Directory}.");
        File.Delete(tool.Path);
    }
}
