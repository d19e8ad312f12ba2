using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace OffGrid.Hub;

/// <summary>Registers the OffGrid model hub in a service collection.</summary>
public static class HubServiceCollectionExtensions
{
    /// <summary>Adds the hub services and validates <see cref="HubOptions"/> at start.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Adjusts the options.</param>
    /// <returns>The same service collection.</returns>
    public static IServiceCollection AddOffGridHub(this IServiceCollection services, Action<HubOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        OptionsBuilder<HubOptions> options = services.AddOptions<HubOptions>()
            .Validate(o => !string.IsNullOrWhiteSpace(o.HomeDirectory), "HubOptions.HomeDirectory must be set.")
            .ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return services;
    }
}
