using System.Text.Json;
using OffGrid.Testing;

namespace OffGrid.Cli.Tests.Commands;

/// <summary><c>offgrid package</c> and <c>offgrid package key</c> through the real process: two homes, a publisher and an importer.</summary>
public sealed class PackageCommandTests : IDisposable
{
    private readonly OffGridCli _publisher = new();
    private readonly OffGridCli _importer = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task KeysAreGeneratedExportedTrustedListedAndRevoked()
    {
        CliResult generated = await _publisher.RunAsync("package", "key", "generate", "--name", "Acme IT", "--json");
        generated.AssertSuccess();
        using JsonDocument key = JsonDocument.Parse(generated.Stdout);
        string keyId = key.RootElement.GetProperty("key_id").GetString()!;
        Assert.Matches("^[0-9a-f]{32}$", keyId);
        Assert.Contains("already exists", (await _publisher.RunAsync("package", "key", "generate")).AssertOneLineFailure(), StringComparison.Ordinal);

        CliResult exported = await _publisher.RunAsync("package", "key", "export");
        exported.AssertSuccess();
        Assert.StartsWith("offgrid-ed25519 ", exported.Stdout, StringComparison.Ordinal);
        string file = Path.Combine(_importer.Home, "acme.pub");
        await File.WriteAllTextAsync(file, exported.Stdout, Ct);

        Assert.Contains("not the key the publisher told you about", (await _importer.RunAsync("package", "key", "trust", file, "--key-id", new string('1', 32))).AssertOneLineFailure(), StringComparison.Ordinal);
        CliResult trusted = await _importer.RunAsync("package", "key", "trust", file, "--key-id", keyId);
        trusted.AssertSuccess();
        Assert.Contains("Trusted Acme IT", trusted.Stdout, StringComparison.Ordinal);

        CliResult listed = await _importer.RunAsync("package", "key", "list", "--json");
        using (JsonDocument keys = JsonDocument.Parse(listed.Stdout))
        {
            JsonElement entry = Assert.Single(keys.RootElement.GetProperty("keys").EnumerateArray());
            Assert.Equal("trusted", entry.GetProperty("status").GetString());
            Assert.Equal(keyId, entry.GetProperty("key_id").GetString());
        }

        (await _importer.RunAsync("package", "key", "untrust", keyId[..8], "--revoke")).AssertSuccess();
        CliResult table = await _importer.RunAsync("package", "key", "list");
        Assert.Contains("revoked", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("--force", (await _importer.RunAsync("package", "key", "trust", file)).AssertOneLineFailure(), StringComparison.Ordinal);

        (await _importer.RunAsync("package", "key", "untrust", "Acme IT")).AssertSuccess();
        Assert.Contains("No trusted publisher keys yet", (await _importer.RunAsync("package", "key", "list")).Stdout, StringComparison.Ordinal);
        Assert.Contains("No key in the trust store matches", (await _importer.RunAsync("package", "key", "untrust", "Acme IT")).AssertOneLineFailure(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task APackageIsCreatedVerifiedAndImportedByAnotherHome()
    {
        (await _publisher.RunAsync("package", "key", "generate", "--name", "Acme IT")).AssertSuccess();
        (await _publisher.RunAsync("pull", TestPaths.Stories260K)).AssertSuccess();
        string package = Path.Combine(_publisher.Home, "bundle.tar");

        CliResult created = await _publisher.RunAsync("package", "create", package, "--model", "local/stories260K", "--no-tool");
        created.AssertSuccess();
        Assert.Contains("signed by Acme IT", created.Stdout, StringComparison.Ordinal);
        Assert.Contains("--publisher-key-id", created.Stderr, StringComparison.Ordinal);

        string refused = (await _importer.RunAsync("package", "import", package)).AssertOneLineFailure();
        Assert.Contains("does not trust", refused, StringComparison.Ordinal);
        Assert.Equal("[]", (await _importer.RunAsync("list", "--json")).Stdout.Trim());

        string publisherKey = Path.Combine(_importer.Home, "acme.pub");
        await File.WriteAllTextAsync(publisherKey, (await _publisher.RunAsync("package", "key", "export")).Stdout, Ct);
        (await _importer.RunAsync("package", "key", "trust", publisherKey)).AssertSuccess();
        CliResult verified = await _importer.RunAsync("package", "verify", package);
        verified.AssertSuccess();
        Assert.Contains("The package is intact", verified.Stdout, StringComparison.Ordinal);

        CliResult imported = await _importer.RunAsync("package", "import", package, "--json");
        imported.AssertSuccess();
        using JsonDocument result = JsonDocument.Parse(imported.Stdout);
        Assert.Equal("local/stories260K", result.RootElement.GetProperty("models")[0].GetProperty("name").GetString());
        CliResult run = await _importer.RunAsync("run", "local/stories260K", "Once upon a time", "--threads", "1", "--temperature", "0", "-n", "20");
        run.AssertSuccess();
        Assert.Contains("Lily", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreatingWithoutAKeyOrAToolSaysWhatToDo()
    {
        (await _publisher.RunAsync("pull", TestPaths.Stories260K)).AssertSuccess();
        string output = Path.Combine(_publisher.Home, "out");

        string noKey = (await _publisher.RunAsync("package", "create", output, "--model", "local/stories260K", "--no-tool")).AssertOneLineFailure();
        string noTool = (await _publisher.RunAsync("package", "create", output, "--model", "local/stories260K", "--tool", Path.Combine(_publisher.Home, "none.nupkg"), "--unsigned")).AssertOneLineFailure();
        CliResult unsigned = await _publisher.RunAsync("package", "create", output, "--model", "local/stories260K", "--no-tool", "--unsigned");

        Assert.Contains("offgrid package key generate", noKey, StringComparison.Ordinal);
        Assert.Contains("--unsigned", noKey, StringComparison.Ordinal);
        Assert.Contains("does not exist", noTool, StringComparison.Ordinal);
        unsigned.AssertSuccess();
        Assert.Contains("unsigned", unsigned.Stdout, StringComparison.Ordinal);
        Assert.Contains("--allow-unsigned", (await _importer.RunAsync("package", "verify", output)).AssertOneLineFailure(), StringComparison.Ordinal);
        (await _importer.RunAsync("package", "verify", output, "--allow-unsigned")).AssertSuccess();
    }

    [Theory]
    [InlineData("package", "create", "out", "--tool", "x.nupkg", "--no-tool")]
    [InlineData("package", "create")]
    [InlineData("package", "verify")]
    [InlineData("package", "key", "trust")]
    [InlineData("package", "imprt", "x")]
    public async Task BadPackageCommandLinesAreUsageErrors(params string[] args)
    {
        string line = (await _publisher.RunAsync(args)).AssertOneLineFailure(expectedExitCode: 2);

        Assert.EndsWith("--help'.", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryPackageCommandHasHelpWithExamples()
    {
        foreach (string[] command in new[] { new[] { "package", "create" }, ["package", "verify"], ["package", "import"], ["package", "key", "generate"], ["package", "key", "trust"], ["package", "key", "untrust"], ["peers"], ["share", "on"], ["share", "serve"] })
        {
            CliResult help = await _publisher.RunAsync([.. command, "--help"]);
            help.AssertSuccess();
            Assert.Contains("Examples:", help.Stdout, StringComparison.Ordinal);
            Assert.Contains("offgrid " + string.Join(' ', command), help.Stdout, StringComparison.Ordinal);
        }
    }

    public void Dispose()
    {
        _publisher.Dispose();
        _importer.Dispose();
    }
}
