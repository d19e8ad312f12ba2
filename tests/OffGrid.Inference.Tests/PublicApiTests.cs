using OffGrid.Testing;

namespace OffGrid.Inference.Tests;

public sealed class PublicApiTests
{
    [Fact]
    public void PublicApiMatchesApprovedSnapshot() =>
        ApiSnapshot.AssertMatchesApproved(typeof(InferenceServiceCollectionExtensions).Assembly, "OffGrid.Inference.api.txt");
}
