using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.LoadBalancing;

namespace OffGrid.AspNetCore;

/// <summary>Checks <see cref="OffGridServerOptions"/> when the host starts, listing every problem at once.</summary>
/// <param name="policies">The load-balancing policies the balancing strategies must name.</param>
/// <param name="services">Says whether the app registered a model worker (without creating it, which needs these options).</param>
internal sealed class OffGridServerOptionsValidator(IEnumerable<ILoadBalancingPolicy> policies, IServiceProviderIsService services) : IValidateOptions<OffGridServerOptions>
{
    public ValidateOptionsResult Validate(string? name, OffGridServerOptions options)
    {
        var errors = new List<string>(options.Validate());
        string[] known = [.. policies.Select(p => p.Name).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal)];
        IEnumerable<(string Setting, string Strategy)> strategies = [
            ("Server:Balancing:Strategy", options.Balancing?.Strategy ?? string.Empty),
            .. (options.Balancing?.Models ?? []).Select(m => ($"Server:Balancing:Models:{m.Key}", m.Value)),
        ];
        foreach ((string setting, string strategy) in strategies.Where(s => !string.IsNullOrWhiteSpace(s.Strategy) && !known.Contains(s.Strategy, StringComparer.OrdinalIgnoreCase)))
        {
            errors.Add($"{setting} names no balancing strategy: '{strategy}' (known: {string.Join(", ", known)}).");
        }

        if (options.Isolation == ModelIsolation.Process && !services.IsService(typeof(Hosting.ModelWorker)))
        {
            errors.Add("Server:Isolation is Process, but this app cannot start itself again as a model worker: run the server with offgrid-server or offgrid serve (OffGridWebApplication).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
