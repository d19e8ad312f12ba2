using OffGrid.Testing;

namespace OffGrid.Hub.Tests;

public sealed class PublicApiTests
{
    [Fact]
    public void PublicApiMatchesApprovedSnapshot() => ApiSnapshot.AssertMatchesApproved(typeof(HubOptions).Assembly);
}
