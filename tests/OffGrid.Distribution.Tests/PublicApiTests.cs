using OffGrid.Testing;

namespace OffGrid.Distribution.Tests;

public sealed class PublicApiTests
{
    [Fact]
    public void PublicApiMatchesApprovedSnapshot() => ApiSnapshot.AssertMatchesApproved(typeof(DistributionOptions).Assembly);
}
