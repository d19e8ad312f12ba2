using System.Net;
using Microsoft.Extensions.Options;
using OffGrid.Governance;

namespace OffGrid.AspNetCore.Hosting;

/// <summary>
/// Refuses at start a server that would serve other machines without API keys: single-user mode is for loopback only.
/// Reported like every other setting error (one line, exit 1) before anything listens.
/// </summary>
internal sealed class SingleUserHostValidator(IOptions<GovernanceOptions> governance) : IValidateOptions<OffGridServerOptions>
{
    public ValidateOptionsResult Validate(string? name, OffGridServerOptions options)
    {
        // An unparsable host is the host check's error, not this one's.
        bool exposed = options.Host == "*" || (IPAddress.TryParse(options.Host, out IPAddress? address) && !IPAddress.IsLoopback(address));
        return !exposed || governance.Value.Mode != GovernanceMode.SingleUser
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"Server:Host '{options.Host}' serves other machines, but Server:Auth:Mode is SingleUser (no API keys), which serves loopback only. " +
                "Listen on 127.0.0.1, or set Server:Auth:Mode=MultiUser and create users and keys (offgrid users add, offgrid keys create).");
    }
}
