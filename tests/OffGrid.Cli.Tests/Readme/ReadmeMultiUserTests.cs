using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using OffGrid.Testing;

namespace OffGrid.Cli.Tests.Readme;

/// <summary>The README's multi-user walk-through runs as written: the CLI and a real multi-user server, driven by curl.</summary>
public sealed partial class ReadmeMultiUserTests : IDisposable
{
    private readonly OffGridCli _cli = new();

    /// <summary>The commands of the README's multi-user block, which <see cref="TheMultiUserSectionRunsAsWritten"/> runs as one script.</summary>
    internal static IReadOnlyList<string> Commands => ReadmeCommands.Blocks.Single(b => b.Contains("offgrid users add ada --role admin"));

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task TheMultiUserSectionRunsAsWritten()
    {
        string readme = await File.ReadAllTextAsync(Path.Combine(TestPaths.RepoRoot, "README.md"), TestContext.Current.CancellationToken);
        string section = readme[readme.IndexOf("### Multi-user", StringComparison.Ordinal)..];
        string script = BashBlock().Match(section).Groups["script"].Value;
        Assert.Contains("offgrid serve", script, StringComparison.Ordinal);

        // The README's port may be taken on a shared machine: the same script on a free one.
        int port = FreePort();
        _cli.Environment["OFFGRID_Server__Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using CliProcess run = await _cli.StartBashAsync(script.Replace("11611", _cli.Environment["OFFGRID_Server__Port"], StringComparison.Ordinal), TimeSpan.FromMinutes(4));
        CliResult result = await run.WaitAsync();

        result.AssertSuccess();
        Assert.Contains("\"object\":\"chat.completion\"", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"tokens_today\":", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"key\":\"og_", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"name\":\"carl\",\"role\":\"auditor\"", result.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^\W*stories\W", result.Stdout); // offgrid ps with the admin's key lists the model the chat loaded
        Assert.Matches(@"\r\n\d+,[^,]+,bob,og_\w{12},", result.Stdout);
        Assert.Contains("\"intact\":true", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("The audit log is intact", result.Stdout, StringComparison.Ordinal);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Any, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"```bash\n(?<script>.*?)```", RegexOptions.Singleline)]
    private static partial Regex BashBlock();
}
