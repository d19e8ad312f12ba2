using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using OffGrid.Testing.LlamaCpp;

namespace OffGrid.Testing.Mcp;

/// <summary>
/// Real MCP servers and the official TypeScript SDK from npm (<c>@modelcontextprotocol/server-everything</c>,
/// <c>server-filesystem</c>, <c>sdk</c>), installed once from the registry the machine's npm configuration names into
/// <see cref="TestPaths.CacheDir"/>, and a small node script that drives the SDK's client.
/// </summary>
/// <remarks>Thread-safe and safe across test processes (see <see cref="CachedAsset"/>). Needs node and npm.</remarks>
internal static class McpNpmPackages
{
    /// <summary>The version of the reference servers.</summary>
    public const string ServersVersion = "2026.8.31";

    /// <summary>The version of <c>@modelcontextprotocol/sdk</c>.</summary>
    public const string SdkVersion = "1.32.2";

    private static readonly Lazy<string> s_root = new(Install, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The folder whose <c>node_modules</c> holds the packages.</summary>
    public static string Root => s_root.Value;

    /// <summary>The entry point of <c>server-everything</c> (stdio by default).</summary>
    public static string Everything => Path.Combine(Root, "node_modules", "@modelcontextprotocol", "server-everything", "dist", "index.js");

    /// <summary>The entry point of <c>server-filesystem</c>; its arguments are the folders it may use.</summary>
    public static string Filesystem => Path.Combine(Root, "node_modules", "@modelcontextprotocol", "server-filesystem", "dist", "index.js");

    /// <summary>
    /// Runs the TypeScript SDK's client against a server: connects (<c>{"transport":"http","url":…}</c> or
    /// <c>{"transport":"stdio","command":…,"args":[…],"env":{…}}</c>), lists the tools and calls <paramref name="tool"/>.
    /// </summary>
    /// <returns>The client's report: <c>{"server":{…},"tools":[names],"result":{content, isError}}</c>.</returns>
    public static async Task<JsonElement> RunClientAsync(object connection, string? tool, object? arguments, TimeSpan timeout)
    {
        string request = JsonSerializer.Serialize(new { connection, call = tool is null ? null : new { name = tool, arguments } });
        string output = await Task.Run(() => ExternalCommand.Run("node", [Script("tests/Shared/Mcp/mcp-client.mjs"), request], Root, timeout));
        return JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement.Clone();
    }

    /// <summary>The registry's tarball of a reference server (<c>npm pack</c>), fetched once into the test cache.</summary>
    /// <param name="package">The package, for example <c>@modelcontextprotocol/server-everything</c>.</param>
    public static string Tarball(string package) =>
        Directory.GetFiles(CachedAsset.GetOrCreate($"npm-pack-{package.TrimStart('@').Replace('/', '-')}-{ServersVersion}", folder =>
            ExternalCommand.Run("npm", ["pack", $"{package}@{ServersVersion}", "--silent"], folder, TimeSpan.FromMinutes(5))), "*.tgz").Single();

    /// <summary>
    /// Copies a node script of the repository (a path from its root) beside the installed packages, so that its imports of
    /// the SDK resolve, and returns the copy's path.
    /// </summary>
    public static string Script(string repositoryPath)
    {
        string source = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, repositoryPath));
        string name = Path.GetFileNameWithoutExtension(repositoryPath);
        string path = Path.Combine(Root, $"{name}-{Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(source)))[..12]}.mjs");
        if (!File.Exists(path))
        {
            string temporary = $"{path}.{Guid.NewGuid():N}.tmp";
            File.WriteAllText(temporary, source);
            File.Move(temporary, path, overwrite: true);
        }

        return path;
    }

    private static string Install() => CachedAsset.GetOrCreate($"mcp-npm-{ServersVersion}-sdk-{SdkVersion}", folder =>
    {
        File.WriteAllText(Path.Combine(folder, "package.json"), """{ "private": true, "type": "module" }""");
        ExternalCommand.Run(
            "npm",
            ["install", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error",
                $"@modelcontextprotocol/server-everything@{ServersVersion}", $"@modelcontextprotocol/server-filesystem@{ServersVersion}", $"@modelcontextprotocol/sdk@{SdkVersion}"],
            folder,
            TimeSpan.FromMinutes(10));
    });
}
