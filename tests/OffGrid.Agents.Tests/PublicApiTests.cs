using OffGrid.Testing;

namespace OffGrid.Agents.Tests;

public sealed class PublicApiTests
{
    [Fact]
    public void PublicApiMatchesApprovedSnapshot() => ApiSnapshot.AssertMatchesApproved(typeof(Toolbox).Assembly);
}
