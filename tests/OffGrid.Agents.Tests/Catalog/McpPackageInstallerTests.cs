using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using OffGrid.Agents.Catalog;
using OffGrid.Agents.Mcp;
using OffGrid.Testing.Mcp;

namespace OffGrid.Agents.Tests.Catalog;

/// <summary>Installs of the reference server's real npm tarball: from a file, and from a loopback registry as an air-gapped mirror.</summary>
public sealed class McpPackageInstallerTests
{
    private const string Everything = "@modelcontextprotocol/server-everything";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ACatalogPackageFileIsVerifiedExtractedConfiguredAndRemoved()
    {
        using var home = new AgentsHome();
        var installer = new McpPackageInstaller(home.Options);

        McpInstallResult result = await installer.InstallAsync(new McpInstallRequest { Source = McpNpmPackages.Tarball(Everything) }, cancellationToken: Cancel);

        Assert.Equal("everything", result.Name);
        Assert.Equal(McpCatalog.Shipped.Find("everything")!.Integrity, result.Package.Integrity);
        Assert.Equal(Path.Combine(home.Options.McpPackagesDirectory, $"modelcontextprotocol-server-everything@{McpNpmPackages.ServersVersion}"), result.Directory);
        Assert.True(Directory.Exists(Path.Combine(result.Directory, "node_modules", "@modelcontextprotocol", "sdk")));
        McpServerConfig config = new McpConfigFile(home.Options.McpConfigPath).Read()["everything"];
        Assert.Equal("node", config.Command);
        Assert.Equal(Path.Combine(result.Directory, "dist", "index.js"), Assert.Single(config.Args));
        await using (var servers = new McpServers(home.Options, new OffGrid.Agents.Plugins.PluginStore(home.Options.PluginsDirectory)))
        {
            AIFunction echo = (await servers.GetToolsAsync("everything", Cancel)).Single(t => t.Name == "echo");
            Assert.Equal("Echo: installed", await echo.InvokeAsync(new AIFunctionArguments { ["message"] = "installed" }, Cancel));
        }

        var taken = await Assert.ThrowsAsync<ToolDefinitionException>(() => installer.InstallAsync(new McpInstallRequest { Source = McpNpmPackages.Tarball(Everything) }, cancellationToken: Cancel));
        Assert.Contains("already configured", taken.Message, StringComparison.Ordinal);
        await installer.RemoveAsync("everything", Cancel);
        Assert.Empty(new McpConfigFile(home.Options.McpConfigPath).Read());
        Assert.False(Directory.Exists(result.Directory));
        await Assert.ThrowsAsync<ToolNotFoundException>(() => installer.RemoveAsync("everything", Cancel));
    }

    [Fact]
    public async Task AFileThatIsNotWhatItClaimsIsRefusedBeforeAnythingIsExtracted()
    {
        using var home = new AgentsHome();
        string tampered = Path.Combine(home.Directory, "server-everything.tgz");
        File.Copy(McpNpmPackages.Tarball(Everything), tampered);
        await File.AppendAllTextAsync(tampered, "extra", Cancel);
        var installer = new McpPackageInstaller(home.Options);

        var error = await Assert.ThrowsAsync<McpPackageException>(() => installer.InstallAsync(new McpInstallRequest { Source = tampered }, cancellationToken: Cancel));

        Assert.Contains($"is not {Everything}@{McpNpmPackages.ServersVersion}: its sha512 digest does not match", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(home.Options.McpConfigPath));
        Assert.False(Directory.Exists(home.Options.McpPackagesDirectory) && Directory.EnumerateDirectories(home.Options.McpPackagesDirectory).Any());
    }

    [Fact]
    public async Task AFileOutsideTheCatalogNeedsItsIntegrity()
    {
        using var home = new AgentsHome();
        string tarball = McpNpmPackages.Tarball(Everything);
        await File.WriteAllTextAsync(home.Options.CatalogPath, """{"version":1,"servers":[]}""", Cancel);
        var installer = new McpPackageInstaller(home.Options);

        var unknown = await Assert.ThrowsAsync<McpPackageException>(() => installer.InstallAsync(new McpInstallRequest { Source = tarball }, cancellationToken: Cancel));
        McpInstallResult installed = await installer.InstallAsync(new McpInstallRequest { Source = tarball, Name = "kitchen-sink", Integrity = Sha512Integrity(tarball), Args = { "stdio" } }, cancellationToken: Cancel);

        Assert.Contains("is not in the MCP catalog, so its integrity is unknown; pass it (--integrity sha512-…)", unknown.Message, StringComparison.Ordinal);
        Assert.Equal("kitchen-sink", installed.Name);
        Assert.Equal("stdio", new McpConfigFile(home.Options.McpConfigPath).Read()["kitchen-sink"].Args[1]);
        Assert.Contains("is neither in the MCP catalog", (await Assert.ThrowsAsync<McpPackageException>(() => installer.InstallAsync(new McpInstallRequest { Source = "no-such-server" }, cancellationToken: Cancel))).Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A mirror that serves the server's tarball itself and passes every other request (the dependencies' metadata) on to
    /// the registry this machine's npm configuration names, as a corporate mirror does.
    /// </summary>
    [Fact]
    public async Task AMirrorRegistryServesTheTarballAndTheDependencies()
    {
        using var home = new AgentsHome();
        using var upstream = new HttpClient();
        Uri origin = OffGrid.Hub.Downloads.NpmRegistry.Locate(null) ?? throw new InvalidOperationException("This machine's npm configuration names no registry.");
        string tarball = McpNpmPackages.Tarball(Everything);
        bool serveTampered = false;
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using WebApplication registry = builder.Build();
        registry.MapGet("/{**path}", async (HttpContext context, string path) =>
        {
            byte[] body;
            if (path == $"{Everything}/-/server-everything-{McpNpmPackages.ServersVersion}.tgz")
            {
                byte[] bytes = await File.ReadAllBytesAsync(tarball, context.RequestAborted);
                body = serveTampered ? [.. bytes, 0] : bytes;
                context.Response.ContentType = "application/octet-stream";
            }
            else
            {
                using HttpResponseMessage answer = await upstream.GetAsync(new Uri(origin, context.Request.Path.Value!.TrimStart('/')), context.RequestAborted);
                body = await answer.Content.ReadAsByteArrayAsync(context.RequestAborted);
                context.Response.StatusCode = (int)answer.StatusCode;
                context.Response.ContentType = answer.Content.Headers.ContentType?.ToString();
            }

            await context.Response.Body.WriteAsync(body, context.RequestAborted);
        });
        await registry.StartAsync(Cancel);
        home.Options.NpmRegistry = new Uri(registry.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        var installer = new McpPackageInstaller(home.Options);

        serveTampered = true;
        var corrupt = await Assert.ThrowsAsync<McpPackageException>(() => installer.InstallAsync(new McpInstallRequest { Source = "everything" }, cancellationToken: Cancel));
        serveTampered = false;
        McpInstallResult installed = await installer.InstallAsync(new McpInstallRequest { Source = "everything" }, cancellationToken: Cancel);

        Assert.Contains("failed its integrity check and was discarded", corrupt.Message, StringComparison.Ordinal);
        Assert.Equal(McpNpmPackages.ServersVersion, installed.Package.Version);
        Assert.True(File.Exists(Path.Combine(installed.Directory, "dist", "index.js")));
        Assert.True(Directory.Exists(Path.Combine(installed.Directory, "node_modules", "@modelcontextprotocol", "sdk")));
    }

    private static string Sha512Integrity(string path) => "sha512-" + Convert.ToBase64String(SHA512.HashData(File.ReadAllBytes(path)));
}
