using OffGrid.Testing;

namespace OffGrid.AspNetCore.Tests;

public sealed class PublicApiTests
{
    [Fact]
    public void PublicApiMatchesApprovedSnapshot() => ApiSnapshot.AssertMatchesApproved(typeof(OffGridServerOptions).Assembly);
}
