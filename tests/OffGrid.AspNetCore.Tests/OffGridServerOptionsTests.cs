using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using OffGrid.Testing.Models;

namespace OffGrid.AspNetCore.Tests;

/// <summary>An app's own configuration (here its command line) reaches <c>AddOffGridServer</c>; code settings win over it.</summary>
public sealed class OffGridServerOptionsTests
{
    [Fact]
    public async Task TheServerSectionOfTheAppsConfigurationIsBound()
    {
        await using TestServer server = await TestServer.StartAsync(_ => { }, app => app.MapOpenAi(), $"--Server:Models:extra={TestLlamaModels.Tiny}");

        using JsonDocument models = JsonDocument.Parse(await server.Http.GetStringAsync("/v1/models", TestContext.Current.CancellationToken));
        string?[] ids = [.. models.RootElement.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString())];

        Assert.Contains("extra", ids);
        Assert.Contains("stories", ids);
    }
}
