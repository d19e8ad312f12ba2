using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace OffGrid.Governance.Audit;

/// <summary>Adds <see cref="AuditChatClient"/> to a chat pipeline.</summary>
public static class AuditChatClientBuilderExtensions
{
    /// <summary>Records every call that passes this point of the pipeline in the OffGrid audit log.</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="log">The log; when <see langword="null"/>, the <see cref="AuditLog"/> registered in the builder's services (<c>AddOffGridGovernance</c>).</param>
    /// <param name="configure">Adjusts the client (for example its <see cref="AuditChatClient.Route"/>).</param>
    /// <returns>The same builder.</returns>
    /// <remarks>Place it before (outside) <c>UseQuotas</c> so that calls refused by a quota are recorded too.</remarks>
    public static ChatClientBuilder UseAudit(this ChatClientBuilder builder, AuditLog? log = null, Action<AuditChatClient>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
        {
            var client = new AuditChatClient(inner, log ?? services.GetRequiredService<AuditLog>());
            configure?.Invoke(client);
            return client;
        });
    }
}
