using OffGrid.Testing;

namespace OffGrid.Inference.Tests;

public sealed class PublicApiTests
{
    [Fact]
    public void PublicApiMatchesApprovedSnapshot() => ApiSnapshot.AssertMatchesApproved(typeof(InferenceOptions).Assembly);
}
