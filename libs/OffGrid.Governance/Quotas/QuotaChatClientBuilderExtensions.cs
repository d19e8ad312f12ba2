using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace OffGrid.Governance.Quotas;

/// <summary>Adds <see cref="QuotaChatClient"/> to a chat pipeline.</summary>
public static class QuotaChatClientBuilderExtensions
{
    /// <summary>Enforces OffGrid quotas and model permissions on every call that passes this point of the pipeline.</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="quotas">The quotas; when <see langword="null"/>, the <see cref="QuotaService"/> registered in the builder's services (<c>AddOffGridGovernance</c>).</param>
    /// <returns>The same builder.</returns>
    /// <remarks>Place it outside (before) <c>UseFunctionInvocation</c> to count a whole tool-calling exchange as one request, inside to count each model round.</remarks>
    public static ChatClientBuilder UseQuotas(this ChatClientBuilder builder, QuotaService? quotas = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) => new QuotaChatClient(inner, quotas ?? services.GetRequiredService<QuotaService>()));
    }
}
