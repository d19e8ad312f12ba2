using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace OffGrid.Governance.Users;

/// <summary>Adds <see cref="CollectionAccessChatClient"/> to a chat pipeline.</summary>
public static class CollectionAccessChatClientBuilderExtensions
{
    /// <summary>Admits only callers allowed <paramref name="collection"/>; place it before the retrieval middleware that searches it.</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="collection">The knowledge collection the rest of the pipeline searches.</param>
    /// <param name="users">The accounts; when <see langword="null"/>, the <see cref="UserDirectory"/> registered in the builder's services (<c>AddOffGridGovernance</c>).</param>
    /// <returns>The same builder.</returns>
    public static ChatClientBuilder UseCollectionAccess(this ChatClientBuilder builder, string collection, UserDirectory? users = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(collection);
        return builder.Use((inner, services) => new CollectionAccessChatClient(inner, users ?? services.GetRequiredService<UserDirectory>(), collection));
    }
}
