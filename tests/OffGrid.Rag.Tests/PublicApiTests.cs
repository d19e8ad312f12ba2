using OffGrid.Testing;

namespace OffGrid.Rag.Tests;

public sealed class PublicApiTests
{
    [Fact]
    public void PublicApiMatchesApprovedSnapshot() => ApiSnapshot.AssertMatchesApproved(typeof(RagOptions).Assembly);
}
