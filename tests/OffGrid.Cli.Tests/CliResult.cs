namespace OffGrid.Cli.Tests;

/// <summary>What an offgrid process did: its exit code and everything it wrote.</summary>
internal sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>The non-empty lines of standard error.</summary>
    public IReadOnlyList<string> ErrorLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Asserts a failure reported the way every command must: non-zero, one line on stderr, no stack trace.</summary>
    public string AssertOneLineFailure(int expectedExitCode = 1)
    {
        Assert.True(ExitCode == expectedExitCode, $"exit code {ExitCode}, expected {expectedExitCode}; stderr: {Stderr}");
        string line = Assert.Single(ErrorLines);
        Assert.StartsWith("offgrid: ", line, StringComparison.Ordinal);
        return line;
    }

    /// <summary>Asserts success, showing stderr otherwise.</summary>
    public void AssertSuccess() => Assert.True(ExitCode == 0, $"exit code {ExitCode}; stderr: {Stderr}; stdout: {Stdout}");
}
