using OffGrid.Testing;

namespace OffGrid.Rag.Tests;

public sealed class PublicApiTests
{
    [Fact]
    public void PublicApiMatchesApprovedSnapshot() =>
        ApiSnapshot.AssertMatchesApproved(typeof(OffGrid.Rag.RagOptions).Assembly, "OffGrid.Rag.api.txt");
}
