using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using OffGrid.Governance.Identity;

namespace OffGrid.Governance.Users;

/// <summary>
/// Chat middleware that admits a call only when its caller (from <see cref="CallerContext"/>) is a known, enabled user
/// allowed the knowledge collection this pipeline searches (<see cref="AccessPolicy.CanUseCollection(OffGridUser, string)"/>).
/// </summary>
/// <remarks>
/// <para>
/// Place it before (outside) the retrieval middleware that searches the same collection, for example
/// <c>builder.UseCollectionAccess("hr").UseRag(knowledgeBase, o => o.Search.Collection = "hr")</c>, so that a refused
/// caller's question never reaches the search and no passage of the collection reaches the model for them.
/// </para>
/// <para>Thread-safe when the inner client is. Errors: <see cref="AccessDeniedException"/> (<see cref="AccessDeniedReason.NoCaller"/>,
/// <see cref="AccessDeniedReason.UnknownUser"/>, <see cref="AccessDeniedReason.AccountDisabled"/>,
/// <see cref="AccessDeniedReason.CollectionNotAllowed"/>), before the inner client is called.</para>
/// </remarks>
public sealed class CollectionAccessChatClient : DelegatingChatClient
{
    private readonly UserDirectory _users;

    /// <summary>Wraps <paramref name="innerClient"/> with a permission check for <paramref name="collection"/>.</summary>
    /// <param name="innerClient">The client that answers admitted calls (the retrieval middleware and the model below it).</param>
    /// <param name="users">The accounts whose <see cref="OffGridUser.AllowedCollections"/> decide.</param>
    /// <param name="collection">The knowledge collection the inner client searches.</param>
    public CollectionAccessChatClient(IChatClient innerClient, UserDirectory users, string collection)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(users);
        ArgumentException.ThrowIfNullOrWhiteSpace(collection);
        _users = users;
        Collection = collection;
    }

    /// <summary>Gets the knowledge collection callers must be allowed.</summary>
    public string Collection { get; }

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        await AdmitAsync(options, cancellationToken).ConfigureAwait(false);
        return await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        await AdmitAsync(options, cancellationToken).ConfigureAwait(false);
        await foreach (ChatResponseUpdate update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            yield return update;
        }
    }

    private async Task AdmitAsync(ChatOptions? options, CancellationToken cancellationToken)
    {
        OffGridUser user = await _users.GetCallerAsync(CallerContext.Require(options?.AdditionalProperties), cancellationToken).ConfigureAwait(false);
        if (!AccessPolicy.CanUseCollection(user, Collection))
        {
            throw new AccessDeniedException(AccessDeniedReason.CollectionNotAllowed, $"User '{user.Name}' may not use the knowledge collection '{Collection}'.");
        }
    }
}
