using OffGrid.Agents.Templates;

namespace OffGrid.Agents.Tests.Templates;

public sealed class AgentTemplatesTests
{
    [Fact]
    public async Task TheFourBuiltInTemplatesAreListedAndAUserFileReplacesOne()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        using var home = new AgentsHome();
        var templates = new AgentTemplates(home.Options);
        Assert.Equal(["analyst", "coder", "creative", "researcher"], (await templates.ListAsync(cancel)).Select(t => t.Name));

        Directory.CreateDirectory(home.Options.AgentsDirectory);
        await File.WriteAllTextAsync(Path.Combine(home.Options.AgentsDirectory, "coder.json"), """{"name":"coder","instructions":"Write Rust.","toolMode":"none","budget":{"maxSteps":2}}""", cancel);
        AgentTemplate coder = await templates.GetAsync("coder", cancel);
        Assert.Equal("Write Rust.", coder.Instructions);
        Assert.Equal(AgentToolMode.None, coder.ToolMode);
        Assert.Equal(2, coder.Budget.MaxSteps);
        Assert.Equal(300, coder.Budget.MaxSeconds);
    }

    [Fact]
    public async Task SavedTemplatesRoundTripAndDeleteButBuiltInsCannotBeDeleted()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        using var home = new AgentsHome();
        var templates = new AgentTemplates(home.Options);
        var template = new AgentTemplate { Name = "triage", Instructions = "Sort tickets.", Tools = ["files"], Temperature = 0.1f, Memory = true, Budget = new AgentBudget { MaxTokens = 500 } };
        await templates.SaveAsync(template, cancel);
        AgentTemplate read = await templates.GetAsync("triage", cancel);
        Assert.Equal(template with { Tools = read.Tools }, read);
        Assert.Equal(["files"], read.Tools);

        templates.Delete("triage");
        await Assert.ThrowsAsync<AgentTemplateNotFoundException>(() => templates.GetAsync("triage", cancel));
        Assert.Contains("built in", Assert.Throws<AgentTemplateException>(() => templates.Delete("coder")).Message, StringComparison.Ordinal);
        var bad = Assert.ThrowsAsync<AgentTemplateException>(() => templates.SaveAsync(template with { Name = "Bad Name", Temperature = 7 }, cancel));
        string message = (await bad).Message;
        Assert.Contains("name must be", message, StringComparison.Ordinal);
        Assert.Contains("temperature must be between 0 and 2", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"name":"bad","instructions":"x","temperature":5}""", "temperature must be between 0 and 2")]
    [InlineData("""{"name":"bad","instructions":"x","budget":{"maxSteps":0}}""", "budget.maxSteps must be at least 1")]
    [InlineData("""{"name":"bad","instructions":"x","toolMode":"sometimes"}""", "toolMode must be \"auto\", \"required\" or \"none\".")]
    [InlineData("""{"name":"bad","instructions":"x","tools":"all"}""", "tools must be an array of tool names.")]
    [InlineData("""{"name":"bad","instructions":"x","temperature":"hot"}""", "temperature must be a number.")]
    [InlineData("""{"name":"bad","instructions":"x","temprature":0.5}""", "unknown field 'temprature'")]
    [InlineData("""{"name":"bad"}""", "'name' and 'instructions' are required")]
    [InlineData("""{"name":"other","instructions":"x"}""", "must match the file name")]
    [InlineData("""{"name":"bad", """, "invalid agent template")]
    public async Task AnInvalidFileIsReportedWithItsPathAndField(string json, string expected)
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        using var home = new AgentsHome();
        Directory.CreateDirectory(home.Options.AgentsDirectory);
        string file = Path.Combine(home.Options.AgentsDirectory, "bad.json");
        await File.WriteAllTextAsync(file, json, cancel);

        var error = await Assert.ThrowsAsync<AgentTemplateException>(() => new AgentTemplates(home.Options).ListAsync(cancel));
        Assert.StartsWith(file + ": ", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("OffGrid.", error.Message, StringComparison.Ordinal);

        // A lister that takes the errors still lists every good template.
        List<AgentTemplateException> reported = [];
        Assert.Equal(["analyst", "coder", "creative", "researcher"], (await new AgentTemplates(home.Options).ListAsync(reported.Add, cancel)).Select(t => t.Name));
        Assert.Equal(error.Message, Assert.Single(reported).Message);
        Assert.EndsWith("Known: analyst, bad, coder, creative, researcher.", (await Assert.ThrowsAsync<AgentTemplateNotFoundException>(() => new AgentTemplates(home.Options).GetAsync("ghost", cancel))).Message, StringComparison.Ordinal);
    }
}
