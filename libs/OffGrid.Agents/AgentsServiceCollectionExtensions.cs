using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OffGrid.Agents;
using OffGrid.Agents.Runs;
using OffGrid.Agents.Templates;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers OffGrid's tools in a service collection.</summary>
public static class AgentsServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="AgentOptions"/> (validated at start), a singleton <see cref="Toolbox"/> (MCP servers from
    /// <c>mcp.json</c>, plugins and custom tools), the <see cref="AgentTemplates"/> and the <see cref="AgentRuns"/> (runs stored in
    /// SQLite). The container stops the MCP servers it started and marks working runs interrupted when it is disposed.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures the options.</param>
    /// <returns>The same service collection.</returns>
    /// <remarks>Call while building the container; not thread-safe, like all service registration.</remarks>
    public static IServiceCollection AddOffGridAgents(this IServiceCollection services, Action<AgentOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        OptionsBuilder<AgentOptions> options = services.AddOptions<AgentOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AgentOptions>, AgentOptionsValidator>());
        services.TryAddSingleton(provider => new Toolbox(provider.GetRequiredService<IOptions<AgentOptions>>().Value, provider.GetService<ILoggerFactory>()));
        services.TryAddSingleton(provider => new AgentTemplates(provider.GetRequiredService<IOptions<AgentOptions>>().Value));
        services.TryAddSingleton(provider => new AgentRuns(
            provider.GetRequiredService<IOptions<AgentOptions>>().Value, provider.GetRequiredService<AgentTemplates>(), provider.GetRequiredService<Toolbox>(), provider.GetService<ILoggerFactory>()));
        return services;
    }
}
