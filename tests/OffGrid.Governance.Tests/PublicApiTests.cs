using OffGrid.Testing;

namespace OffGrid.Governance.Tests;

public sealed class PublicApiTests
{
    [Fact]
    public void PublicApiMatchesApprovedSnapshot() => ApiSnapshot.AssertMatchesApproved(typeof(GovernanceOptions).Assembly);
}
