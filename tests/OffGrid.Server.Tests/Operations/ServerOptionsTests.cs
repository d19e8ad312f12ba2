using OffGrid.AspNetCore.Hosting;
using Microsoft.Extensions.Options;

namespace OffGrid.Server.Tests.Operations;

/// <summary>Configuration errors stop the server before it listens, naming every bad setting.</summary>
public sealed class ServerOptionsTests
{
    [Fact]
    public void InvalidSettingsFailBeforeTheServerStarts()
    {
        // The host reads its shutdown timeout from the server options while it is built, so validation fails there.
        OptionsValidationException error = Assert.Throws<OptionsValidationException>(() =>
            OffGridWebApplication.Create(["--Server:Port=70000", "--Server:Host=not-an-address", "--Server:Models:ghost=/nowhere/ghost.gguf"]));

        Assert.Contains(error.Failures, f => f.Contains("Server:Port", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("Server:Host", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("'ghost'", StringComparison.Ordinal) && f.Contains("/nowhere/ghost.gguf", StringComparison.Ordinal));
    }
}
