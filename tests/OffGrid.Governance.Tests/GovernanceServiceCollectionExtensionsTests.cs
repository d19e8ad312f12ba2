using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OffGrid.Governance.Audit;
using OffGrid.Governance.Identity;
using OffGrid.Governance.Ldap;
using OffGrid.Governance.Quotas;
using OffGrid.Governance.Tests.TestSupport;
using OffGrid.Governance.Users;

namespace OffGrid.Governance.Tests;

public sealed class GovernanceServiceCollectionExtensionsTests : IAsyncLifetime
{
    private readonly GovernanceHome _home = new();
    private TinyLlama _llama = null!;

    public async ValueTask InitializeAsync() => _llama = await TinyLlama.StartAsync();

    public async ValueTask DisposeAsync()
    {
        await _llama.DisposeAsync();
        _home.Dispose();
    }

    [Fact]
    public async Task AnEmbeddedAppGetsQuotasAndAuditFromTheContainer()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        var services = new ServiceCollection();
        services.AddOffGridGovernance(o => o.DirectoryPath = _home.Directory);
        services.AddChatClient(_llama.Client).UseAudit().UseQuotas();
        using ServiceProvider provider = services.BuildServiceProvider();

        await provider.GetRequiredService<UserDirectory>().AddAsync("ada", UserRole.User, cancellationToken: ct);
        using (CallerContext.Enter(new Caller("ada")))
        {
            await provider.GetRequiredService<IChatClient>().GetResponseAsync("hi", new ChatOptions { MaxOutputTokens = 3 }, ct);
        }

        Assert.Same(provider.GetRequiredService<QuotaService>(), provider.GetRequiredService<QuotaService>());
        Assert.Equal(1, Assert.Single(await provider.GetRequiredService<QuotaService>().GetUsageAsync("ada", cancellationToken: ct)).Requests);
        Assert.Equal("ada", Assert.Single(await provider.GetRequiredService<AuditLog>().QueryAsync(cancellationToken: ct).ToListAsync(ct)).Event.UserName);
        Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<LdapDirectory>());
    }

    [Fact]
    public void InvalidOptionsFailValidationAtStart()
    {
        var services = new ServiceCollection();
        services.AddOffGridGovernance(o =>
        {
            o.DirectoryPath = _home.Directory;
            o.Lockout.MaxFailedAttempts = 0;
            o.Audit.Retention = TimeSpan.Zero;
            o.Ldap = new LdapOptions { Host = "dc.example", UserSearchBase = "dc=example", Port = 70000 };
        });
        using ServiceProvider provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains("Lockout: MaxFailedAttempts", error.Message, StringComparison.Ordinal);
        Assert.Contains("Audit: Retention", error.Message, StringComparison.Ordinal);
        Assert.Contains("Ldap: Port", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new UserDirectory(new GovernanceOptions { DirectoryPath = _home.Directory, LocalUserName = "not valid" }));
    }
}
