using System.Net;
using Microsoft.Extensions.Time.Testing;
using OffGrid.Governance.Tests.TestSupport;
using OffGrid.Governance.Users;

namespace OffGrid.Governance.Tests.AspNetCore;

/// <summary>Single-user mode: no keys, loopback only, enforced at start.</summary>
public sealed class SingleUserModeTests : IDisposable
{
    private readonly GovernanceHome _home = new();
    private readonly FakeTimeProvider _time = new();

    public void Dispose() => _home.Dispose();

    [Fact]
    public async Task LoopbackRequestsRunAsTheLocalAdministratorWithoutAKey()
    {
        await using GovernedApp app = await GovernedApp.StartAsync(_home, GovernanceMode.SingleUser, _time);

        using HttpResponseMessage whoami = await app.Client.GetAsync("/v1/whoami", TestContext.Current.CancellationToken);
        using HttpResponseMessage admin = await app.Client.GetAsync("/v1/admin/audit/verify", TestContext.Current.CancellationToken);

        Assert.Equal("local", await whoami.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        OffGridUser local = await new UserDirectory(_home.Options).GetAsync("local", TestContext.Current.CancellationToken);
        Assert.Equal(UserRole.Admin, local.Role);
    }

    [Fact]
    public async Task RefusesToStartOnANonLoopbackAddress()
    {
        InvalidOperationException refused = await Assert.ThrowsAsync<InvalidOperationException>(
            () => GovernedApp.StartAsync(_home, GovernanceMode.SingleUser, _time, url: "http://0.0.0.0:0"));

        Assert.StartsWith("Single-user mode (no API keys) serves loopback only, but the server listens on http://0.0.0.0:", refused.Message, StringComparison.Ordinal);
    }
}
