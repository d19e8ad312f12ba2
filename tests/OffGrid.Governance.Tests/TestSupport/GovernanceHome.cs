using OffGrid.Testing;

namespace OffGrid.Governance.Tests.TestSupport;

/// <summary>A fresh governance folder per test, deleted afterwards.</summary>
internal sealed class GovernanceHome : IDisposable
{
    public GovernanceHome()
    {
        Directory = TestPaths.NewTempDir("offgrid-governance");
        Options = new GovernanceOptions { DirectoryPath = Directory };
    }

    public string Directory { get; }

    public GovernanceOptions Options { get; }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
