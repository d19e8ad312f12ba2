namespace OffGrid.Hub.Tests;

/// <summary>OFFGRID_HOME moves every default path, in every library.</summary>
[Collection(nameof(EnvironmentCollection))]
public sealed class OffGridHomeTests
{
    [Fact]
    public void EveryDefaultPathFollowsOffGridHome()
    {
        string? before = Environment.GetEnvironmentVariable(OffGridHome.EnvironmentVariable);
        string home = Path.Combine(Path.GetTempPath(), "offgrid-home-" + Guid.NewGuid().ToString("N"));
        Environment.SetEnvironmentVariable(OffGridHome.EnvironmentVariable, home);
        try
        {
            Assert.Equal(home, OffGridHome.Directory);
            Assert.Equal(home, new HubOptions().HomeDirectory);
            Assert.Equal(Path.Combine(home, "models"), new HubOptions().GetModelsDirectory());
            Assert.Equal(Path.Combine(home, "runtime"), OffGridHome.Combine("runtime"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(OffGridHome.EnvironmentVariable, before);
        }
    }
}

/// <summary>Tests that change process-wide environment variables run one at a time.</summary>
[CollectionDefinition(nameof(EnvironmentCollection), DisableParallelization = true)]
public sealed class EnvironmentCollection;
