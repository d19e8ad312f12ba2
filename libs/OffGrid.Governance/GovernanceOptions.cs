using OffGrid.Governance.Audit;
using OffGrid.Governance.Identity;
using OffGrid.Governance.Ldap;
using OffGrid.Hub;

namespace OffGrid.Governance;

/// <summary>Settings of OffGrid governance: where users, keys, usage and the audit log are stored, the server mode, sign-in and LDAP.</summary>
/// <remarks>Configure once before the services are created; read, never mutated, afterwards, and then safe to share between threads.</remarks>
public sealed class GovernanceOptions
{
    /// <summary>
    /// Gets or sets the folder holding <c>governance.db</c> (users, API keys, quotas, usage), <c>audit.db</c> and the audit
    /// key <c>audit.key</c>. Defaults to <c>governance</c> under <c>OFFGRID_HOME</c> (<c>~/.offgrid</c>).
    /// </summary>
    public string DirectoryPath { get; set; } = OffGridHome.Combine("governance");

    /// <summary>Gets or sets whether a server runs for one local user (no keys, loopback only) or for several users with API keys.</summary>
    public GovernanceMode Mode { get; set; } = GovernanceMode.SingleUser;

    /// <summary>
    /// Gets or sets the account every request runs as in <see cref="GovernanceMode.SingleUser"/> mode; created as an administrator
    /// at server start when missing. <c>local</c> by default.
    /// </summary>
    public string LocalUserName { get; set; } = "local";

    /// <summary>Gets or sets the audit log settings.</summary>
    public AuditOptions Audit { get; set; } = new();

    /// <summary>Gets or sets how repeated failed sign-ins and invalid API keys lock a user name or client address out.</summary>
    public LockoutOptions Lockout { get; set; } = new();

    /// <summary>Gets or sets the LDAP / Active Directory connection; <see langword="null"/> (the default) signs in local accounts only.</summary>
    public LdapOptions? Ldap { get; set; }

    /// <summary>Gets the path of the users, keys, quotas and usage database.</summary>
    public string GovernanceDatabasePath => Path.Combine(DirectoryPath, "governance.db");

    /// <summary>Gets the path of the audit log database.</summary>
    public string AuditDatabasePath => Path.Combine(DirectoryPath, "audit.db");

    /// <summary>Gets the path of the secret key that seals the audit chain (created with owner-only permissions on first use).</summary>
    public string AuditKeyPath => Audit.KeyPath ?? Path.Combine(DirectoryPath, "audit.key");

    /// <summary>Lists what is wrong with these settings; empty when they are usable.</summary>
    /// <returns>One message per invalid setting.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(DirectoryPath))
        {
            errors.Add($"{nameof(DirectoryPath)} must name a folder.");
        }

        if (!Enum.IsDefined(Mode))
        {
            errors.Add($"{nameof(Mode)} has an unknown value {Mode}.");
        }

        if (!Users.UserNames.IsValid(LocalUserName))
        {
            errors.Add($"{nameof(LocalUserName)} '{LocalUserName}' is not a valid user name.");
        }

        if (Audit is null)
        {
            errors.Add($"{nameof(Audit)} must be set.");
        }
        else
        {
            errors.AddRange(Audit.Validate().Select(e => $"{nameof(Audit)}: {e}"));
        }

        if (Lockout is null)
        {
            errors.Add($"{nameof(Lockout)} must be set.");
        }
        else
        {
            errors.AddRange(Lockout.Validate().Select(e => $"{nameof(Lockout)}: {e}"));
        }

        if (Ldap is not null)
        {
            errors.AddRange(Ldap.Validate().Select(e => $"{nameof(Ldap)}: {e}"));
        }

        return errors;
    }

    internal void ThrowIfInvalid()
    {
        IReadOnlyList<string> errors = Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid governance options: " + string.Join(" ", errors), nameof(GovernanceOptions));
        }
    }
}
