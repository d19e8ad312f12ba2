using Microsoft.Extensions.DependencyInjection;
using OffGrid.Governance.ApiKeys;
using OffGrid.Governance.Audit;
using OffGrid.Governance.Quotas;
using OffGrid.Governance.Users;

namespace OffGrid.Cli.Governance;

/// <summary>
/// The governance services the user, key, audit and usage commands need, registered by <c>AddOffGridGovernance</c> over the
/// files in <c>OFFGRID_HOME/governance</c> (the same files a running server uses); created on first use.
/// </summary>
internal sealed class GovernanceServices : IDisposable
{
    private readonly Lazy<ServiceProvider> _provider = new(() => new ServiceCollection().AddOffGridGovernance().BuildServiceProvider());

    /// <summary>The user accounts.</summary>
    public UserDirectory Users => _provider.Value.GetRequiredService<UserDirectory>();

    /// <summary>The API keys.</summary>
    public ApiKeyStore Keys => _provider.Value.GetRequiredService<ApiKeyStore>();

    /// <summary>Quotas and recorded usage.</summary>
    public QuotaService Quotas => _provider.Value.GetRequiredService<QuotaService>();

    /// <summary>The audit log.</summary>
    public AuditLog Audit => _provider.Value.GetRequiredService<AuditLog>();

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_provider.IsValueCreated)
        {
            _provider.Value.Dispose();
        }
    }
}
