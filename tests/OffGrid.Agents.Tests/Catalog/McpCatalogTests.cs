using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using OffGrid.Agents.Catalog;

namespace OffGrid.Agents.Tests.Catalog;

public sealed class McpCatalogTests
{
    private const string Vetted = """
        { "version": 1, "servers": [ { "name": "files", "package": "@modelcontextprotocol/server-filesystem", "version": "2026.8.31",
          "integrity": "sha512-kKaFkyAh6oipvc9+EAbJ552JafnMnOq5nzmzWkp1jJdBhTAAGpmIpWihUG1+rfNhmEFM98gUZDdCHCDD4v6a7Q==",
          "description": "Vetted file access.", "requiredEnv": [ { "name": "FILES_TOKEN" } ] } ] }
        """;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public void TheShippedCatalogPinsPackagesWithTheirIntegrity()
    {
        McpCatalog catalog = McpCatalog.Shipped;

        Assert.Equal("shipped", catalog.Source);
        Assert.Equal(["everything", "filesystem", "memory", "sequential-thinking"], catalog.Servers.Select(s => s.Name));
        Assert.All(catalog.Servers, s => Assert.StartsWith("sha512-", s.Integrity, StringComparison.Ordinal));
        McpCatalogEntry filesystem = Assert.Single(catalog.Search("files"));
        Assert.Equal("filesystem", filesystem.Name);
        Assert.Same(filesystem, catalog.Find("@modelcontextprotocol/server-filesystem@2026.8.31"));
        Assert.Same(filesystem, catalog.Find("filesystem"));
        Assert.Null(catalog.Find("@modelcontextprotocol/server-filesystem@0.0.1"));
        Assert.Equal(["-y", "@modelcontextprotocol/server-filesystem@2026.8.31", "/srv/shared-documents"], filesystem.ExampleConfig.Args);
        Assert.Equal("npx", filesystem.ExampleConfig.Command);
    }

    [Fact]
    public async Task ARefreshFromAFileReplacesTheShippedCatalog()
    {
        using var home = new AgentsHome();
        string file = Path.Combine(home.Directory, "vetted.json");
        await File.WriteAllTextAsync(file, Vetted, Cancel);

        McpCatalog refreshed = await McpCatalog.RefreshAsync(file, home.Options, cancellationToken: Cancel);

        Assert.Equal(home.Options.CatalogPath, refreshed.Source);
        McpCatalogEntry files = Assert.Single(McpCatalog.Load(home.Options).Servers);
        Assert.Equal("files", files.Name);
        Assert.Equal("${FILES_TOKEN}", files.ExampleConfig.Env["FILES_TOKEN"]);
    }

    [Fact]
    public async Task ARefreshFromAUrlIsCheckedBeforeItIsStored()
    {
        using var home = new AgentsHome();
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using WebApplication app = builder.Build();
        app.MapGet("/catalog.json", () => Vetted);
        app.MapGet("/broken.json", () => Vetted.Replace("sha512-kKaF", "sha512-!!", StringComparison.Ordinal));
        await app.StartAsync(Cancel);
        var baseUri = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

        var broken = await Assert.ThrowsAsync<ToolDefinitionException>(() => McpCatalog.RefreshAsync(new Uri(baseUri, "/broken.json").AbsoluteUri, home.Options, cancellationToken: Cancel));
        Assert.Equal("integrity", broken.Field);
        Assert.False(File.Exists(home.Options.CatalogPath));

        await McpCatalog.RefreshAsync(new Uri(baseUri, "/catalog.json").AbsoluteUri, home.Options, cancellationToken: Cancel);
        Assert.Equal("files", Assert.Single(McpCatalog.Load(home.Options).Servers).Name);
    }

    [Theory]
    [InlineData("""{"version":2,"servers":[]}""", "version 2")]
    [InlineData("""{"version":1,"servers":[{"name":"a","package":"Not A Package","version":"1","integrity":"sha512-AAAA"}]}""", "is not an npm package name")]
    [InlineData("""{"version":1,"servers":[{"name":"a","package":"a","version":"","integrity":"sha512-AAAA"}]}""", "needs an exact 'version'")]
    [InlineData("""{"version":1,"servers":[{"name":"a","package":"a","version":"1","integrity":"md5-AAAA"}]}""", "Subresource Integrity")]
    [InlineData("""{"version":1,"servers":[""", "is not a valid MCP catalog")]
    public void InvalidCatalogsAreRefused(string json, string message) =>
        Assert.Contains(message, Assert.Throws<ToolDefinitionException>(() => McpCatalog.Parse(json, "test.json")).Message, StringComparison.Ordinal);

    [Fact]
    public void DuplicateNamesAreRefused()
    {
        JsonElement entry = JsonDocument.Parse(Vetted).RootElement.GetProperty("servers")[0];
        string json = $$"""{"version":1,"servers":[{{entry.GetRawText()}},{{entry.GetRawText()}}]}""";

        Assert.Equal("test.json lists 'files' more than once.", Assert.Throws<ToolDefinitionException>(() => McpCatalog.Parse(json, "test.json")).Message);
    }
}
