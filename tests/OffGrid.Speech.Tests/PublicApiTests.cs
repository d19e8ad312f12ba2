using OffGrid.Testing;

namespace OffGrid.Speech.Tests;

public sealed class PublicApiTests
{
    [Fact]
    public void PublicApiMatchesApprovedSnapshot() => ApiSnapshot.AssertMatchesApproved(typeof(SpeechOptions).Assembly);
}
