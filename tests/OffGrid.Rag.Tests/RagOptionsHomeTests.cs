using OffGrid.Hub;

namespace OffGrid.Rag.Tests;

/// <summary>The knowledge base and the sqlite-vec lookup move with OFFGRID_HOME, like every other OffGrid path.</summary>
public sealed class RagOptionsHomeTests
{
    [Fact]
    public void TheDefaultDatabaseLivesUnderOffGridHome()
    {
        string? before = Environment.GetEnvironmentVariable(OffGridHome.EnvironmentVariable);
        string home = Path.Combine(Path.GetTempPath(), "offgrid-home-" + Guid.NewGuid().ToString("N"));
        Environment.SetEnvironmentVariable(OffGridHome.EnvironmentVariable, home);
        try
        {
            Assert.Equal(Path.Combine(home, "rag", "knowledge.db"), new RagOptions().DatabasePath);
        }
        finally
        {
            Environment.SetEnvironmentVariable(OffGridHome.EnvironmentVariable, before);
        }
    }
}
