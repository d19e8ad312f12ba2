using System.Text.Json;
using OffGrid.Agents.Mcp;

namespace OffGrid.Agents.Catalog;

/// <summary>
/// Popular MCP servers with pinned npm packages and integrity, shipped with OffGrid as data. A refreshed catalog (from a
/// file or URL, for example an organisation's vetted list) is stored at <see cref="AgentOptions.CatalogPath"/> and replaces
/// the shipped one.
/// </summary>
/// <remarks>Immutable once loaded; thread-safe.</remarks>
public sealed class McpCatalog
{
    private const string ResourceName = "OffGrid.Agents.Catalog.mcp-catalog.json";

    private McpCatalog(IReadOnlyList<McpCatalogEntry> servers, string source)
    {
        Servers = servers;
        Source = source;
    }

    /// <summary>Gets the catalog's servers, sorted by name.</summary>
    public IReadOnlyList<McpCatalogEntry> Servers { get; }

    /// <summary>Gets where the catalog was read from: <c>shipped</c> or a file path.</summary>
    public string Source { get; }

    /// <summary>Gets the catalog shipped with this version of OffGrid.</summary>
    public static McpCatalog Shipped { get; } = LoadShipped();

    /// <summary>Loads the refreshed catalog at <see cref="AgentOptions.CatalogPath"/>, or the shipped one when there is none.</summary>
    /// <param name="options">Where the refreshed catalog is.</param>
    /// <returns>The catalog.</returns>
    /// <exception cref="ToolDefinitionException">The refreshed catalog file is invalid.</exception>
    public static McpCatalog Load(AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return File.Exists(options.CatalogPath) ? Parse(File.ReadAllText(options.CatalogPath), options.CatalogPath) : Shipped;
    }

    /// <summary>Reads and checks a catalog: <c>{"version":1,"servers":[{name, package, version, integrity, …}]}</c>.</summary>
    /// <param name="json">The catalog's JSON.</param>
    /// <param name="source">Where it came from, for messages.</param>
    /// <returns>The catalog.</returns>
    /// <exception cref="ToolDefinitionException">The JSON is malformed, an entry is invalid, or two entries share a name.</exception>
    public static McpCatalog Parse(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        CatalogDocument document;
        try
        {
            document = JsonSerializer.Deserialize<CatalogDocument>(json, McpConfigFile.JsonOptions) ?? throw new JsonException("The catalog is null.");
        }
        catch (JsonException ex)
        {
            throw new ToolDefinitionException($"{source} is not a valid MCP catalog: {ex.Message}", innerException: ex);
        }

        if (document.Version != 1)
        {
            throw new ToolDefinitionException($"{source} is MCP catalog version {document.Version}; this OffGrid reads version 1.", "version");
        }

        foreach (McpCatalogEntry entry in document.Servers)
        {
            entry.Validate();
        }

        if (document.Servers.GroupBy(s => s.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } duplicate)
        {
            throw new ToolDefinitionException($"{source} lists '{duplicate.Key}' more than once.", "servers");
        }

        return new McpCatalog([.. document.Servers.OrderBy(s => s.Name, StringComparer.Ordinal)], source);
    }

    /// <summary>
    /// Reads a catalog from a file or an http(s) URL, checks it, and stores it at <see cref="AgentOptions.CatalogPath"/> so that
    /// it replaces the shipped catalog.
    /// </summary>
    /// <param name="source">A file path or URL.</param>
    /// <param name="options">Where to store it.</param>
    /// <param name="httpClient">Fetches a URL; a new client when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Stops the fetch.</param>
    /// <returns>The new catalog.</returns>
    /// <exception cref="ToolDefinitionException">The catalog is invalid (nothing is stored then).</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="HttpRequestException">The URL could not be fetched.</exception>
    public static async Task<McpCatalog> RefreshAsync(string source, AgentOptions options, HttpClient? httpClient = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(options);
        string json;
        if (Uri.TryCreate(source, UriKind.Absolute, out Uri? uri) && uri.Scheme is "http" or "https")
        {
            HttpClient client = httpClient ?? new HttpClient();
            try
            {
                json = await client.GetStringAsync(uri, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                if (httpClient is null)
                {
                    client.Dispose();
                }
            }
        }
        else
        {
            json = await File.ReadAllTextAsync(source, cancellationToken).ConfigureAwait(false);
        }

        McpCatalog catalog = Parse(json, source);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(options.CatalogPath))!);
        string temporary = $"{options.CatalogPath}.{Guid.NewGuid():N}.tmp";
        await File.WriteAllTextAsync(temporary, json, cancellationToken).ConfigureAwait(false);
        File.Move(temporary, options.CatalogPath, overwrite: true);
        return new McpCatalog(catalog.Servers, options.CatalogPath);
    }

    /// <summary>The servers whose name, package or description contains every word of <paramref name="query"/> (all when empty).</summary>
    /// <param name="query">Words to look for, case-insensitively.</param>
    /// <returns>The matching servers, sorted by name.</returns>
    public IReadOnlyList<McpCatalogEntry> Search(string? query)
    {
        string[] words = (query ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return [.. Servers.Where(s => words.All(w =>
            s.Name.Contains(w, StringComparison.OrdinalIgnoreCase)
            || s.Package.Contains(w, StringComparison.OrdinalIgnoreCase)
            || (s.Description?.Contains(w, StringComparison.OrdinalIgnoreCase) ?? false)))];
    }

    /// <summary>The entry whose name or package is <paramref name="nameOrPackage"/> (a <c>@version</c> suffix must match the pinned one).</summary>
    /// <param name="nameOrPackage">A catalog name, a package, or <c>package@version</c>.</param>
    /// <returns>The entry, or <see langword="null"/>.</returns>
    public McpCatalogEntry? Find(string nameOrPackage)
    {
        ArgumentNullException.ThrowIfNull(nameOrPackage);
        int at = nameOrPackage.LastIndexOf('@');
        (string name, string? version) = at > 0 ? (nameOrPackage[..at], nameOrPackage[(at + 1)..]) : (nameOrPackage, null);
        return Servers.FirstOrDefault(s => (s.Name == name || s.Package == name) && (version is null || s.Version == version));
    }

    private static McpCatalog LoadShipped()
    {
        using Stream stream = typeof(McpCatalog).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The shipped MCP catalog ({ResourceName}) is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd(), "shipped");
    }

    private sealed class CatalogDocument
    {
        public int Version { get; set; }

        public List<McpCatalogEntry> Servers { get; set; } = [];
    }
}
