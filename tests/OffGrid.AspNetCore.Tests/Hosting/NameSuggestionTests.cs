using OffGrid.AspNetCore.Hosting;

namespace OffGrid.AspNetCore.Tests.Hosting;

/// <summary>The one "did you mean" rule, for the CLI's commands and options and the server's settings alike.</summary>
public sealed class NameSuggestionTests
{
    [Theory]
    [InlineData("rnu", "run")] // a swap of neighbours counts once
    [InlineData("pul", "pull")]
    [InlineData("--prot", "--port")]
    [InlineData("--PORT", "--port")] // case is ignored; the name comes back as known
    [InlineData("Sever", "Server")]
    [InlineData("ContextSzie", "ContextSize")]
    [InlineData("Engnie", "Engine")]
    [InlineData("--p", null)] // a short mistake is not any short name: at most a third of the letters may differ
    [InlineData("xyz", null)]
    [InlineData("--prompt-tokns", "--prompt-tokens")]
    public void SuggestsTheClosestNameWhenAtMostAThirdOfItsLettersDiffer(string written, string? expected)
    {
        string[] names = ["run", "pull", "ps", "--port", "--host", "Server", "Hub", "ContextSize", "Engine", "--prompt-tokens", "--output-tokens"];

        Assert.Equal(expected, NameSuggestion.For(written, names));
    }

    [Fact]
    public void OfEquallyCloseNamesTheFirstIsSuggested()
    {
        Assert.Equal("--host", NameSuggestion.For("--hast", ["--host", "--hash"]));
        Assert.Equal("--hash", NameSuggestion.For("--hast", ["--hash", "--host"]));
    }
}
