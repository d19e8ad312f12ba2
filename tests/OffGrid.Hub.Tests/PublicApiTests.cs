using OffGrid.Testing;

namespace OffGrid.Hub.Tests;

public sealed class PublicApiTests
{
    [Fact]
    public void PublicApiMatchesApprovedSnapshot() =>
        ApiSnapshot.AssertMatchesApproved(typeof(OffGrid.Hub.HubOptions).Assembly, "OffGrid.Hub.api.txt");
}
