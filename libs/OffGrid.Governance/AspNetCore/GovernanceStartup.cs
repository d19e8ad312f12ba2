using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OffGrid.Governance.Users;

namespace OffGrid.Governance.AspNetCore;

/// <summary>
/// At server start: says which mode the server runs in, refuses to run single-user mode on a non-loopback address, creates the
/// single-user account when missing, and in multi-user mode points out how to create the first administrator and warns when
/// keys would cross the network unencrypted.
/// </summary>
internal sealed class GovernanceStartup(IServer server, UserDirectory users, IOptions<GovernanceOptions> options, ILogger<GovernanceStartup> logger)
    : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        GovernanceOptions governance = options.Value;
        if (governance.Mode == GovernanceMode.SingleUser)
        {
            if (await users.FindAsync(governance.LocalUserName, cancellationToken).ConfigureAwait(false) is null)
            {
                try
                {
                    await users.AddAsync(governance.LocalUserName, UserRole.Admin, cancellationToken: cancellationToken).ConfigureAwait(false);
                }
                catch (UserExistsException)
                {
                    // Another process created it meanwhile.
                }
            }

            return;
        }

        if (!(await users.ListAsync(cancellationToken).ConfigureAwait(false)).Any(u => u.Role == UserRole.Admin && !u.IsDisabled))
        {
            logger.LogWarning(
                "Multi-user mode and no administrator yet: create one with 'offgrid users add <name> --role admin' and give it a key with 'offgrid keys create <name>'.");
        }
    }

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        GovernanceOptions governance = options.Value;
        ICollection<string> addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        if (governance.Mode == GovernanceMode.MultiUser)
        {
            logger.LogInformation("OffGrid multi-user mode: every non-public route needs an API key ({Addresses}).", string.Join(", ", addresses));
            string[] clearText = addresses.Where(a => a.StartsWith("http://", StringComparison.OrdinalIgnoreCase) && !IsLoopback(a)).ToArray();
            if (clearText.Length > 0)
            {
                logger.LogWarning(
                    "API keys cross the network in clear text on {Addresses}: serve HTTPS (a Kestrel certificate; OffGrid's server: Server:CertificatePath) or put a TLS proxy in front.",
                    string.Join(", ", clearText));
            }

            return Task.CompletedTask;
        }

        string[] exposed = addresses.Where(a => !IsLoopback(a)).ToArray();
        if (exposed.Length > 0)
        {
            throw new InvalidOperationException(
                $"Single-user mode (no API keys) serves loopback only, but the server listens on {string.Join(", ", exposed)}. " +
                "Listen on 127.0.0.1, or switch to multi-user mode (Governance:Mode=MultiUser) and create API keys.");
        }

        logger.LogWarning(
            "OffGrid single-user mode: no API keys; every request runs as '{User}' (administrator), and only loopback clients are served ({Addresses}).",
            governance.LocalUserName,
            string.Join(", ", addresses));
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static bool IsLoopback(string address)
    {
        if (!Uri.TryCreate(address.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out Uri? uri))
        {
            return false;
        }

        return uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out IPAddress? ip) && IPAddress.IsLoopback(ip));
    }
}
