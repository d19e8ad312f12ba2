using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using OffGrid.Inference.Remote;

namespace OffGrid.AspNetCore.Backends;

/// <summary>
/// The bottom of a remote model's chat pipeline: each request goes to one backend of the model's pool (affinity, then the
/// pool's strategy), fails over to another while nothing has been answered, and counts as in flight on its backend from the
/// moment it is sent until the answer ends — completed, failed, cancelled or abandoned by the caller.
/// </summary>
/// <remarks>Thread-safe. Whole answers are streamed underneath, so that failover and time to first token work the same for both.</remarks>
internal sealed class BalancedChatClient : IChatClient
{
    private readonly RemoteBackends _backends;
    private readonly string _model;
    private readonly ChatClientMetadata _metadata;

    public BalancedChatClient(RemoteBackends backends, string model)
    {
        _backends = backends;
        _model = model;
        _metadata = new ChatClientMetadata("offgrid-remote", providerUri: null, defaultModelId: model);
    }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        await GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken).ConfigureAwait(false);

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        IReadOnlyList<ChatMessage> conversation = [.. messages];
        BackendPool pool = _backends.GetPool(_model);
        IReadOnlyList<ulong> keys = pool.Affinity is null ? [] : PrefixAffinity.KeysOf(conversation);
        Failover.Started<FirstUpdate> started = await Failover.StartAsync(_backends, pool, keys, (member, ct) => StartAsync(member, conversation, options, ct), cancellationToken).ConfigureAwait(false);
        BackendState backend = started.Member.Backend;
        IAsyncEnumerator<ChatResponseUpdate> updates = started.Result.Updates;
        string outcome = Failover.Outcomes.Cancelled; // unless it ends otherwise: the caller stopped reading
        try
        {
            bool more = started.Result.HasUpdate;
            while (more)
            {
                yield return updates.Current;
                try
                {
                    more = await updates.MoveNextAsync().ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    outcome = Failover.Outcomes.Of(ex, cancellationToken);
                    if (ex is BackendUnavailableException failure && !cancellationToken.IsCancellationRequested)
                    {
                        // Too late to fail over (the caller has part of the answer), but the failure counts towards the circuit.
                        _backends.ReportFailure(backend, failure);
                    }

                    throw;
                }
            }

            outcome = Failover.Outcomes.Ok;
        }
        finally
        {
            // Reached on completion, on a failure, on cancellation and when the caller stops reading early.
            started.InFlight.Dispose();
            await updates.DisposeAsync().ConfigureAwait(false);
            _backends.Telemetry.RecordRequest(backend, _model, outcome);
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(ChatClientMetadata) ? _metadata
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    public void Dispose()
    {
        // The backends and their clients belong to RemoteBackends.
    }

    /// <summary>Sends the request to a member and waits for its first update; releases the stream when that fails.</summary>
    private static async Task<FirstUpdate> StartAsync(PoolMember member, IReadOnlyList<ChatMessage> conversation, ChatOptions? options, CancellationToken cancellationToken)
    {
        IAsyncEnumerator<ChatResponseUpdate> updates = member.Backend.GetChatClient(member.RemoteModel)
            .GetStreamingResponseAsync(conversation, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            return new FirstUpdate(updates, await updates.MoveNextAsync().ConfigureAwait(false));
        }
        catch
        {
            await updates.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>A started stream and whether it has a first update.</summary>
    private sealed record FirstUpdate(IAsyncEnumerator<ChatResponseUpdate> Updates, bool HasUpdate);
}
