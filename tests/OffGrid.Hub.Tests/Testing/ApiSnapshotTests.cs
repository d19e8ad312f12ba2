using OffGrid.Hub.Downloads;
using OffGrid.Testing;

namespace OffGrid.Hub.Tests.Testing;

/// <summary>The shared API snapshot helper that every library's PublicApiTests uses.</summary>
public sealed class ApiSnapshotTests : IDisposable
{
    private readonly string _dir = TestPaths.NewTempDir("api-snapshot");

    [Fact]
    public void RenderingShowsNullabilityRequiredMembersAndAttributes()
    {
        string api = ApiSnapshot.Render(typeof(FileDownloader).Assembly);

        Assert.Contains("public string? ModelsDirectory { get; set; }", api, StringComparison.Ordinal);
        Assert.Contains("public required System.Uri Source { get; init; }", api, StringComparison.Ordinal);
        Assert.Contains("[System.Text.Json.Serialization.JsonIgnore]", api, StringComparison.Ordinal);
        Assert.Contains("AddOffGridHub(this Microsoft.Extensions.DependencyInjection.IServiceCollection services, System.Action<OffGrid.Hub.HubOptions>? configure = null)", api, StringComparison.Ordinal);
    }

    [Fact]
    public void AMismatchFailsWithALineDiffAndLeavesTheApprovedFile()
    {
        string approvedPath = Path.Combine(_dir, "Lib.api.txt");
        string approved = string.Join('\n', Enumerable.Range(1, 30).Select(i => $"    public void M{i}() {{ }}")) + "\n";
        File.WriteAllText(approvedPath, approved);
        string actual = approved.Replace("M15()", "M15(int x)", StringComparison.Ordinal);

        var error = Assert.Throws<Xunit.Sdk.XunitException>(() => ApiSnapshot.AssertMatchesApproved(actual, approvedPath, accept: false));

        Assert.Contains("OFFGRID_ACCEPT_API=1", error.Message, StringComparison.Ordinal);
        Assert.Contains("-     public void M15() { }", error.Message, StringComparison.Ordinal);
        Assert.Contains("+     public void M15(int x) { }", error.Message, StringComparison.Ordinal);
        Assert.Contains("      public void M14() { }", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("M2()", error.Message, StringComparison.Ordinal);
        Assert.Equal(approved, File.ReadAllText(approvedPath));
    }

    [Fact]
    public void AcceptingRewritesTheApprovedFileAndThenMatches()
    {
        string approvedPath = Path.Combine(_dir, "New.api.txt");

        ApiSnapshot.AssertMatchesApproved("namespace A\n{\n}\n", approvedPath, accept: true);

        Assert.Equal("namespace A\n{\n}\n", File.ReadAllText(approvedPath));
        ApiSnapshot.AssertMatchesApproved("namespace A\n{\n}\n", approvedPath, accept: false);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
