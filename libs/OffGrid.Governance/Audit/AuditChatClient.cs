using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using OffGrid.Governance.Identity;

namespace OffGrid.Governance.Audit;

/// <summary>
/// Chat middleware that records every model call in the <see cref="AuditLog"/>: who (from <see cref="CallerContext"/>),
/// when, which model, tokens in and out, status and latency; the prompt and answer only when
/// <see cref="AuditOptions.RecordContent"/> is on.
/// </summary>
/// <remarks>
/// <para>
/// Inside an HTTP request audited by the ASP.NET Core integration, the call is added to that request's entry instead, so a
/// request gives one entry with its route and its model use. Elsewhere (an embedded app) each call is its own entry with the
/// route <see cref="Route"/>.
/// </para>
/// <para>
/// The entry is written after the call ends, failed or cancelled calls included (status 4xx/499/500, see
/// <see cref="GovernanceErrors"/>). A stream the consumer stops early is recorded when the enumerator is disposed.
/// Thread-safe when the inner client is.
/// </para>
/// </remarks>
public sealed class AuditChatClient : DelegatingChatClient
{
    private readonly AuditLog _log;

    /// <summary>Wraps <paramref name="innerClient"/> with auditing.</summary>
    /// <param name="innerClient">The audited client.</param>
    /// <param name="log">Where entries go.</param>
    public AuditChatClient(IChatClient innerClient, AuditLog log)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(log);
        _log = log;
    }

    /// <summary>Gets or sets the route recorded for calls outside an HTTP request; <c>chat</c> by default.</summary>
    public string Route { get; set; } = "chat";

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        AuditedCall call = Start(messages, options);
        try
        {
            ChatResponse response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
            call.Usage(response.Usage);
            call.Answer(response.Text);
            await call.EndAsync(null).ConfigureAwait(false);
            return response;
        }
        catch (Exception ex)
        {
            await call.EndAsync(ex).ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        AuditedCall call = Start(messages, options);
        Exception? failure = new OperationCanceledException("The consumer stopped reading the stream.");
        try
        {
            await using IAsyncEnumerator<ChatResponseUpdate> updates = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
            while (true)
            {
                try
                {
                    if (!await updates.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }
                }
                catch (Exception ex)
                {
                    failure = ex;
                    throw;
                }

                foreach (AIContent content in updates.Current.Contents)
                {
                    if (content is UsageContent usage)
                    {
                        call.Usage(usage.Details);
                    }
                }

                call.Answer(updates.Current.Text);
                yield return updates.Current;
            }

            failure = null;
        }
        finally
        {
            await call.EndAsync(failure).ConfigureAwait(false);
        }
    }

    private AuditedCall Start(IEnumerable<ChatMessage> messages, ChatOptions? options) =>
        new(_log, Route, CallerContext.Resolve(options), options?.ModelId ?? this.GetService<ChatClientMetadata>()?.DefaultModelId,
            () => string.Join('\n', messages.Select(m => $"{m.Role}: {m.Text}")));
}
