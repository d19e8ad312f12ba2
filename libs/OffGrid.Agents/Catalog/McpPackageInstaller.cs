using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OffGrid.Agents.Mcp;
using OffGrid.Hub;
using OffGrid.Hub.Downloads;

namespace OffGrid.Agents.Catalog;

/// <summary>
/// Installs MCP servers published as npm packages: the tarball comes from the registry the machine's npm configuration names
/// (resumable, through Hub's downloader) or from a local <c>.tgz</c>; its integrity (pinned in the catalog, given, or else the
/// registry's) is checked before anything is extracted; the package is extracted under
/// <see cref="AgentOptions.McpPackagesDirectory"/>, its production dependencies installed with npm (<c>--ignore-scripts</c>),
/// and the server added to <c>mcp.json</c> to run with <c>node</c>.
/// </summary>
/// <remarks>Thread-safe for different packages; installing the same package twice at once is not supported.</remarks>
public sealed class McpPackageInstaller
{
    private static readonly TimeSpan s_npmTimeout = TimeSpan.FromMinutes(10);

    private readonly AgentOptions _options;
    private readonly HttpClient? _httpClient;
    private readonly ILogger _logger;

    /// <summary>Creates an installer.</summary>
    /// <param name="options">Where packages, <c>mcp.json</c> and the catalog are; the npm registry override.</param>
    /// <param name="httpClient">Downloads tarballs and registry metadata; a new client per install when <see langword="null"/>.</param>
    /// <param name="logger">Logs the steps.</param>
    public McpPackageInstaller(AgentOptions options, HttpClient? httpClient = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _httpClient = httpClient;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Installs the package <paramref name="request"/> names and adds it to <c>mcp.json</c>.</summary>
    /// <param name="request">What to install and how to configure it.</param>
    /// <param name="progress">Download progress.</param>
    /// <param name="cancellationToken">Stops the install; a partial download is kept for the next attempt.</param>
    /// <returns>The installed server.</returns>
    /// <exception cref="McpPackageException">The package is unknown, fails its integrity check, or its dependencies do not install.</exception>
    /// <exception cref="ToolDefinitionException">The server name or arguments are invalid, or the name is taken.</exception>
    public async Task<McpInstallResult> InstallAsync(McpInstallRequest request, IProgress<DownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        McpCatalog catalog = McpCatalog.Load(_options);
        (NpmPackage package, McpCatalogEntry? entry, string tarball) = await LocateAsync(request, catalog, progress, cancellationToken).ConfigureAwait(false);
        string name = request.Name ?? entry?.Name ?? DefaultName(package.Name);
        if (entry is not null && request.Args.Count < entry.MinArgs)
        {
            throw new ToolDefinitionException($"MCP server '{entry.Name}' needs arguments: {entry.Usage}.", "args");
        }

        var configFile = new McpConfigFile(_options.McpConfigPath);
        if (!request.Replace && configFile.Read().ContainsKey(name))
        {
            throw new ToolDefinitionException($"An MCP server named '{name}' is already configured in {configFile.Path}; remove it first or choose another name.", "name");
        }

        ContentHash expected = ContentHash.FromIntegrity(package.Integrity);
        if (!await expected.MatchesFileAsync(tarball, cancellationToken).ConfigureAwait(false))
        {
            throw new McpPackageException($"'{tarball}' is not {package.Name}@{package.Version}: its {expected.Algorithm} digest does not match {package.Integrity}. Nothing was installed.");
        }

        string directory = await ExtractAsync(package, tarball, request.Offline, cancellationToken).ConfigureAwait(false);
        var env = new Dictionary<string, string>(request.Env, StringComparer.Ordinal);
        foreach (McpEnvironmentVariable variable in entry?.RequiredEnv ?? [])
        {
            env.TryAdd(variable.Name, $"${{{variable.Name}}}");
        }

        var config = new McpServerConfig
        {
            Command = "node",
            Args = [EntryPoint(directory, package), .. request.Args],
            Env = env,
            Description = entry?.Description ?? ReadPackageJson(directory).Description,
        };
        await configFile.SetServerAsync(name, config, cancellationToken).ConfigureAwait(false);
        _logger.LogInformation("Installed MCP server {Name} from {Package}@{Version} in {Directory}.", name, package.Name, package.Version, directory);
        string[] missing = [.. (entry?.RequiredEnv ?? []).Select(v => v.Name).Where(v => !request.Env.ContainsKey(v) && Environment.GetEnvironmentVariable(v) is null)];
        return new McpInstallResult(name, package, directory, config, missing);
    }

    /// <summary>
    /// Removes the server <paramref name="name"/> from <c>mcp.json</c>, and its package folder when it was installed here and
    /// no other server uses it.
    /// </summary>
    /// <param name="name">The server's name.</param>
    /// <param name="cancellationToken">Stops waiting for another edit of <c>mcp.json</c>.</param>
    /// <exception cref="ToolNotFoundException">No server has that name.</exception>
    /// <returns>A task that completes when the server is removed.</returns>
    public async Task RemoveAsync(string name, CancellationToken cancellationToken = default)
    {
        var configFile = new McpConfigFile(_options.McpConfigPath);
        IReadOnlyDictionary<string, McpServerConfig> servers = configFile.Read();
        if (!servers.TryGetValue(name, out McpServerConfig? config))
        {
            throw new ToolNotFoundException(name, $"No MCP server is named '{name}' in {configFile.Path}.");
        }

        await configFile.RemoveServerAsync(name, cancellationToken).ConfigureAwait(false);
        if (PackageFolderOf(config) is { } folder && !servers.Any(s => s.Key != name && PackageFolderOf(s.Value) == folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private string? PackageFolderOf(McpServerConfig config)
    {
        string root = Path.GetFullPath(_options.McpPackagesDirectory) + Path.DirectorySeparatorChar;
        if (config.Args.FirstOrDefault() is not { } entryPoint || !Path.IsPathFullyQualified(entryPoint) || !entryPoint.StartsWith(root, StringComparison.Ordinal))
        {
            return null;
        }

        string folder = Path.Combine(root, entryPoint[root.Length..].Split(Path.DirectorySeparatorChar)[0]);
        return Directory.Exists(folder) ? folder : null;
    }

    private async Task<(NpmPackage Package, McpCatalogEntry? Entry, string Tarball)> LocateAsync(McpInstallRequest request, McpCatalog catalog, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        string source = request.Source;
        if (source.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase) || File.Exists(source))
        {
            if (!File.Exists(source))
            {
                throw new McpPackageException($"The package file '{source}' does not exist.");
            }

            PackageJson manifest = PeekPackageJson(source);
            McpCatalogEntry? listed = catalog.Find($"{manifest.Name}@{manifest.Version}");
            string integrity = request.Integrity ?? listed?.Integrity
                ?? throw new McpPackageException($"{manifest.Name}@{manifest.Version} is not in the MCP catalog, so its integrity is unknown; pass it (--integrity sha512-…) to install '{source}'.");
            return (new NpmPackage(manifest.Name!, manifest.Version!, integrity), listed, Path.GetFullPath(source));
        }

        McpCatalogEntry? entry = catalog.Find(source);
        string name;
        string version;
        string? knownIntegrity;
        if (entry is not null)
        {
            (name, version, knownIntegrity) = (entry.Package, entry.Version, entry.Integrity);
        }
        else
        {
            int at = source.LastIndexOf('@');
            if (at <= 0 || !McpCatalogEntry.PackageName().IsMatch(source[..at]))
            {
                string known = string.Join(", ", catalog.Servers.Select(s => s.Name));
                throw new McpPackageException($"'{source}' is neither in the MCP catalog ({known}) nor an npm package with an exact version (name@1.2.3), nor a .tgz file.");
            }

            (name, version, knownIntegrity) = (source[..at], source[(at + 1)..], request.Integrity);
        }

        Uri registry = NpmRegistry.Locate(_options.NpmRegistry)
            ?? throw new McpPackageException("No npm registry is configured on this machine (NPM_CONFIG_REGISTRY, .npmrc or npm config); install from a local .tgz instead.");
        HttpClient client = _httpClient ?? new HttpClient();
        try
        {
            var package = new NpmPackage(name, version, knownIntegrity ?? await RegistryIntegrityAsync(client, registry, name, version, cancellationToken).ConfigureAwait(false));
            try
            {
                string tarball = await new NpmPackageInstaller(_options.McpPackagesDirectory, client, _logger).DownloadAsync(package, registry, progress, cancellationToken).ConfigureAwait(false);
                return (package, entry, tarball);
            }
            catch (DownloadIntegrityException ex)
            {
                throw new McpPackageException($"{package.Name}@{package.Version} failed its integrity check and was discarded: {ex.Message}", ex);
            }
            catch (Exception ex) when (ex is HttpRequestException or HubHttpException)
            {
                throw new McpPackageException($"{package.Name}@{package.Version} could not be downloaded: {ex.Message}", ex);
            }
        }
        finally
        {
            if (_httpClient is null)
            {
                client.Dispose();
            }
        }
    }

    private static async Task<string> RegistryIntegrityAsync(HttpClient client, Uri registry, string name, string version, CancellationToken cancellationToken)
    {
        var metadata = new Uri($"{registry.AbsoluteUri.TrimEnd('/')}/{name.Replace("/", "%2F", StringComparison.Ordinal)}/{Uri.EscapeDataString(version)}");
        try
        {
            using JsonDocument document = JsonDocument.Parse(await client.GetStringAsync(metadata, cancellationToken).ConfigureAwait(false));
            return document.RootElement.TryGetProperty("dist", out JsonElement dist) && dist.TryGetProperty("integrity", out JsonElement integrity) && integrity.GetString() is { Length: > 0 } value
                ? value
                : throw new McpPackageException($"The registry gives no integrity for {name}@{version}; pass it (--integrity sha512-…).");
        }
        catch (HttpRequestException ex)
        {
            throw new McpPackageException($"The registry does not know {name}@{version}: {ex.Message}", ex);
        }
    }

    private async Task<string> ExtractAsync(NpmPackage package, string tarball, bool offline, CancellationToken cancellationToken)
    {
        string root = Path.GetFullPath(_options.McpPackagesDirectory);
        string target = Path.Combine(root, package.InstallFolderName);
        if (File.Exists(Path.Combine(target, "package.json")))
        {
            return target;
        }

        Directory.CreateDirectory(root);
        string staging = Path.Combine(root, $".staging-{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        try
        {
            try
            {
                await NpmTarball.ExtractAsync(tarball, staging, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidDataException ex)
            {
                throw new McpPackageException($"{package.Name}@{package.Version} is unusable: {ex.Message}", ex);
            }

            string packageFolder = Path.Combine(staging, "package");
            if (!File.Exists(Path.Combine(packageFolder, "package.json")))
            {
                throw new McpPackageException($"{package.Name}@{package.Version} has no package/package.json; it is not an npm package.");
            }

            if (ReadPackageJson(packageFolder).HasDependencies && !Directory.Exists(Path.Combine(packageFolder, "node_modules")))
            {
                await InstallDependenciesAsync(package, packageFolder, offline, cancellationToken).ConfigureAwait(false);
            }

            if (Directory.Exists(target))
            {
                Directory.Delete(target, recursive: true);
            }

            Directory.Move(packageFolder, target);
            return target;
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }

    private async Task InstallDependenciesAsync(NpmPackage package, string folder, bool offline, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(OperatingSystem.IsWindows() ? "npm.cmd" : "npm")
        {
            WorkingDirectory = folder,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in new[] { "install", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund", "--no-package-lock", "--loglevel=error" })
        {
            startInfo.ArgumentList.Add(argument);
        }

        if (offline)
        {
            startInfo.ArgumentList.Add("--offline");
        }

        if (_options.NpmRegistry is { } registry)
        {
            startInfo.ArgumentList.Add("--registry=" + registry.AbsoluteUri);
        }

        _logger.LogInformation("Installing the dependencies of {Package}@{Version} with npm.", package.Name, package.Version);
        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new McpPackageException($"{package.Name}@{package.Version} needs its dependencies installed, and npm could not be started: {ex.Message}", ex);
        }

        Task<string> output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        Task<string> error = process.StandardError.ReadToEndAsync(cancellationToken);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(s_npmTimeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            cancellationToken.ThrowIfCancellationRequested();
            throw new McpPackageException($"npm did not install the dependencies of {package.Name}@{package.Version} within {s_npmTimeout.TotalMinutes:0} minutes.");
        }

        await output.ConfigureAwait(false);
        string errors = (await error.ConfigureAwait(false)).Trim();
        if (process.ExitCode != 0)
        {
            string tail = string.Join(" ", errors.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).TakeLast(4));
            throw new McpPackageException($"npm could not install the dependencies of {package.Name}@{package.Version} (exit code {process.ExitCode}){(offline ? " from its offline cache" : string.Empty)}: {tail}");
        }
    }

    private static string EntryPoint(string directory, NpmPackage package)
    {
        PackageJson manifest = ReadPackageJson(directory);
        string shortName = package.Name[(package.Name.LastIndexOf('/') + 1)..];
        string? relative = manifest.Bin switch
        {
            { ValueKind: JsonValueKind.String } bin => bin.GetString(),
            { ValueKind: JsonValueKind.Object } bins => bins.EnumerateObject().OrderByDescending(b => b.Name == shortName || b.Name.EndsWith(shortName, StringComparison.Ordinal)).Select(b => b.Value.GetString()).FirstOrDefault(),
            _ => manifest.Main,
        };
        string path = Path.GetFullPath(Path.Combine(directory, relative ?? "index.js"));
        return File.Exists(path) && path.StartsWith(directory + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            ? path
            : throw new McpPackageException($"{package.Name}@{package.Version} names no program to run ('bin' or 'main' in package.json).");
    }

    private static string DefaultName(string package)
    {
        string shortName = package[(package.LastIndexOf('/') + 1)..];
        foreach (string prefix in new[] { "mcp-server-", "server-" })
        {
            if (shortName.StartsWith(prefix, StringComparison.Ordinal) && shortName.Length > prefix.Length)
            {
                return shortName[prefix.Length..];
            }
        }

        return shortName;
    }

    private static PackageJson ReadPackageJson(string folder) =>
        ParsePackageJson(File.ReadAllText(Path.Combine(folder, "package.json")), folder);

    private static PackageJson PeekPackageJson(string tarball)
    {
        try
        {
            using FileStream file = File.OpenRead(tarball);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var reader = new TarReader(gzip);
            for (TarEntry? entry = reader.GetNextEntry(); entry is not null; entry = reader.GetNextEntry())
            {
                if (entry.Name == "package/package.json" && entry.DataStream is { } data)
                {
                    using var text = new StreamReader(data);
                    return ParsePackageJson(text.ReadToEnd(), tarball);
                }
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new McpPackageException($"'{tarball}' is not an npm package tarball: {ex.Message}", ex);
        }

        throw new McpPackageException($"'{tarball}' has no package/package.json; it is not an npm package.");
    }

    private static PackageJson ParsePackageJson(string json, string where)
    {
        try
        {
            PackageJson manifest = JsonSerializer.Deserialize<PackageJson>(json, McpConfigFile.JsonOptions) ?? throw new JsonException("null");
            return manifest.Name is { Length: > 0 } && manifest.Version is { Length: > 0 }
                ? manifest
                : throw new McpPackageException($"The package.json of '{where}' has no name or version.");
        }
        catch (JsonException ex)
        {
            throw new McpPackageException($"The package.json of '{where}' is not valid JSON: {ex.Message}", ex);
        }
    }

    private sealed class PackageJson
    {
        public string? Name { get; set; }

        public string? Version { get; set; }

        public string? Description { get; set; }

        public string? Main { get; set; }

        public JsonElement? Bin { get; set; }

        public Dictionary<string, string>? Dependencies { get; set; }

        public bool HasDependencies => Dependencies is { Count: > 0 };
    }
}
