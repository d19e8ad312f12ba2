using OffGrid.Distribution.Peers;

namespace OffGrid.Distribution.Tests.Peers;

public sealed class NetworkSecretTests
{
    [Fact]
    public void GeneratedSecretsAreLongUniqueAndRoundTripThroughText()
    {
        NetworkSecret first = NetworkSecret.Generate();
        NetworkSecret second = NetworkSecret.Generate();

        Assert.NotEqual(first.Reveal(), second.Reveal());
        Assert.NotEqual(first.NetworkTag, second.NetworkTag);
        Assert.True(first.Reveal().Length > 40);
        Assert.Equal(first.NetworkTag, NetworkSecret.Parse("  " + first.Reveal() + "\n").NetworkTag);
        Assert.Matches("^[0-9a-f]{16}$", first.NetworkTag);
    }

    [Fact]
    public void TheTagDoesNotRevealTheSecret()
    {
        NetworkSecret secret = NetworkSecret.Parse("correct horse battery staple");

        Assert.DoesNotContain("horse", secret.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(secret.NetworkTag, Convert.ToHexStringLower("correct horse battery staple"u8), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("short")]
    [InlineData("fifteen chars!!")]
    [InlineData("sixteen chars\nwith a newline")]
    public void WeakOrMultiLineSecretsAreRefused(string text)
    {
        var ex = Assert.Throws<PeerException>(() => NetworkSecret.Parse(text));

        Assert.Contains("at least 16 characters", ex.Message, StringComparison.Ordinal);
    }
}
