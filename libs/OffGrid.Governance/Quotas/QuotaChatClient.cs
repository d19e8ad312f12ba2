using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using OffGrid.Governance.Identity;

namespace OffGrid.Governance.Quotas;

/// <summary>
/// Chat middleware that admits every call through a <see cref="QuotaService"/>: the caller (from <see cref="CallerContext"/>)
/// must be a known, enabled user allowed the model, and under their quotas; the call's tokens are then counted.
/// </summary>
/// <remarks>
/// <para>
/// Tokens come from <see cref="ChatResponse.Usage"/>, and when streaming from the <see cref="UsageContent"/> of the updates.
/// A stream that ends without usage (the consumer stopped early, or the inner client reports none) is charged one output token
/// per update with text, so stopping a stream never makes a call free. The model is <see cref="ChatOptions.ModelId"/>, else
/// the inner client's <see cref="ChatClientMetadata.DefaultModelId"/>.
/// </para>
/// <para>Thread-safe when the inner client is. Errors: <see cref="AccessDeniedException"/>, <see cref="QuotaExceededException"/>.</para>
/// </remarks>
public sealed class QuotaChatClient : DelegatingChatClient
{
    private readonly QuotaService _quotas;

    /// <summary>Wraps <paramref name="innerClient"/> with quota enforcement.</summary>
    /// <param name="innerClient">The client that answers admitted calls.</param>
    /// <param name="quotas">The quotas to enforce.</param>
    public QuotaChatClient(IChatClient innerClient, QuotaService quotas)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(quotas);
        _quotas = quotas;
    }

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        await using QuotaLease lease = await AdmitAsync(options, cancellationToken).ConfigureAwait(false);
        ChatResponse response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        if (response.Usage is { } usage)
        {
            lease.AddUsage(usage.InputTokenCount ?? 0, usage.OutputTokenCount ?? 0);
        }

        return response;
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        await using QuotaLease lease = await AdmitAsync(options, cancellationToken).ConfigureAwait(false);
        bool sawUsage = false;
        long textUpdates = 0;
        try
        {
            await foreach (ChatResponseUpdate update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
            {
                foreach (AIContent content in update.Contents)
                {
                    if (content is UsageContent { Details: { } details })
                    {
                        sawUsage = true;
                        lease.AddUsage(details.InputTokenCount ?? 0, details.OutputTokenCount ?? 0);
                    }
                    else if (content is TextContent { Text.Length: > 0 })
                    {
                        textUpdates++;
                    }
                }

                yield return update;
            }
        }
        finally
        {
            if (!sawUsage)
            {
                lease.AddUsage(0, textUpdates);
            }
        }
    }

    private Task<QuotaLease> AdmitAsync(ChatOptions? options, CancellationToken cancellationToken) =>
        _quotas.AcquireAsync(CallerContext.Require(options?.AdditionalProperties), options?.ModelId ?? this.GetService<ChatClientMetadata>()?.DefaultModelId, cancellationToken);
}
