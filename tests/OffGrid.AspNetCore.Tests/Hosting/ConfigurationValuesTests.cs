using Microsoft.Extensions.Configuration;
using OffGrid.AspNetCore.Hosting;
using OffGrid.Governance;

namespace OffGrid.AspNetCore.Tests.Hosting;

/// <summary>What the server says about settings before it binds them: misspelled keys and values it cannot use.</summary>
public sealed class ConfigurationValuesTests
{
    [Theory]
    [InlineData("Server:Pool:Engnie:ContextSize", "Server:Pool:Engnie:ContextSize is not a setting: Server:Pool has no 'Engnie'. Did you mean Server:Pool:Engine?")]
    [InlineData("Server:Pool:Engine:ContextSzie", "Server:Pool:Engine:ContextSzie is not a setting: Server:Pool:Engine has no 'ContextSzie'. Did you mean Server:Pool:Engine:ContextSize?")]
    [InlineData("Server:Prot", "Server:Prot is not a setting: Server has no 'Prot'. Did you mean Server:Port?")]
    [InlineData("Server:Backends:gpu1:Wieght", "Server:Backends:gpu1:Wieght is not a setting: Server:Backends:gpu1 has no 'Wieght'. Did you mean Server:Backends:gpu1:Weight?")]
    [InlineData("Server:Pool:Engine:Speculation:Bogus", "Server:Pool:Engine:Speculation:Bogus is not a setting: Server:Pool:Engine:Speculation has no 'Bogus' (it has DraftModelPath, NgramSize, MaxDraftTokens).")]
    public void AKeyNoSettingMatchesIsNamedWithTheClosestKnownOne(string key, string expected)
    {
        IConfiguration configuration = Configuration((key, "4096"), ("Server:Backends:gpu1:Endpoint", "http://gpu1:8080/v1"));

        Assert.Equal(expected, Assert.Single(ConfigurationValues.Check(configuration.GetSection("Server"), typeof(OffGridServerOptions))));
    }

    [Fact]
    public void NamesTheUserChoosesAndSectionsBoundElsewhereAreAccepted()
    {
        IConfiguration configuration = Configuration(
            ("server:pool:engine:contextsize", "4096"), // the binder ignores case, so does the check
            ("Server:Models:my-model", "/models/a.gguf"),
            ("Server:Preload:0", "my-model"),
            ("Server:Backends:gpu-box:Endpoint", "http://gpu1:8080/v1"),
            ("Server:Backends:gpu-box:Models:chat", "qwen2.5"),
            ("Server:Balancing:Models:chat", "Latency"),
            ("Server:Auth:Mode", "MultiUser"),
            ("Server:Auth:Ldap:GroupRoles:AI Admins", "Admin"));

        Assert.Empty(ConfigurationValues.Check(configuration.GetSection("Server"), typeof(OffGridServerOptions), "Auth"));
        Assert.Empty(ConfigurationValues.Check(configuration.GetSection("Server:Auth"), typeof(GovernanceOptions)));
        Assert.StartsWith(
            "Server:Auth:Mode is not a setting: Server has no 'Auth' (it has Host, Port,",
            Assert.Single(ConfigurationValues.Check(Configuration(("Server:Auth:Mode", "MultiUser")).GetSection("Server"), typeof(OffGridServerOptions))),
            StringComparison.Ordinal);
    }

    [Fact]
    public void ASwitchWhoseSectionIsANearMissIsNamedOthersAreLeftToTheirOwners()
    {
        string[] sections = ["Server", "Hub", "Agents", "Speech"];

        Assert.Equal("--Sever:Pool:KeepAlive is not a setting: there is no section 'Sever'. Did you mean --Server:Pool:KeepAlive?", ConfigurationValues.CheckSwitchSections(["--Server:Port", "0", "--Sever:Pool:KeepAlive=00:10:00"], sections));
        Assert.Null(ConfigurationValues.CheckSwitchSections(["--Logging:LogLevel:Default=Warning", "--Kestrel:Limits:MaxConcurrentConnections", "10", "--server:port=0", "--environment", "Development"], sections));
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build();
}
