using OffGrid.Testing;

namespace OffGrid.Cli.Tests.Commands;

public sealed class FailureTests : IDisposable
{
    private readonly OffGridCli _cli = new();

    [Fact]
    public async Task UnknownModelNamesTheChoices()
    {
        string line = (await _cli.RunAsync("run", "no-such-model", "hi")).AssertOneLineFailure();

        Assert.Contains("Unknown model 'no-such-model'", line, StringComparison.Ordinal);
        Assert.Contains("llama3.2", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingFileIsReported()
    {
        string missing = Path.Combine(_cli.Home, "missing.gguf");

        string line = (await _cli.RunAsync("run", missing, "hi")).AssertOneLineFailure();

        Assert.Contains("does not exist", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CorruptModelIsReported()
    {
        string corrupt = Path.Combine(_cli.Home, "corrupt.gguf");
        await File.WriteAllBytesAsync(corrupt, [.. "GGUF"u8, 3, 0, 0, 0, 0xFF, 0xFF, 0xFF], TestContext.Current.CancellationToken);

        string run = (await _cli.RunAsync("run", corrupt, "hi")).AssertOneLineFailure();
        string show = (await _cli.RunAsync("show", corrupt)).AssertOneLineFailure();

        Assert.Contains("not a valid GGUF", run, StringComparison.Ordinal);
        Assert.Contains("corrupt.gguf", show, StringComparison.Ordinal);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(run, "corrupt\\.gguf"));
    }

    [Theory]
    [InlineData("run", "--bogus")]
    [InlineData("run", "model", "--tempreature", "1")]
    [InlineData("bench", "model", "--iterations", "many")]
    [InlineData("search", "--sort", "random")]
    [InlineData("runn")]
    public async Task BadCommandLinesAreUsageErrors(params string[] args)
    {
        string line = (await _cli.RunAsync(args)).AssertOneLineFailure(expectedExitCode: 2);

        Assert.EndsWith("--help'.", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnreachableHubIsANetworkError()
    {
        string line = (await _cli.RunAsync("pull", "acme/Some-Model-GGUF")).AssertOneLineFailure();

        Assert.Contains("Network error", line, StringComparison.Ordinal);
        Assert.Contains("HF_ENDPOINT", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BenchOfAMissingModelFails()
    {
        (await _cli.RunAsync("bench", Path.Combine(_cli.Home, "none.gguf"))).AssertOneLineFailure();
    }

    public void Dispose() => _cli.Dispose();
}
