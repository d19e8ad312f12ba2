using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace OffGrid.Agents.Tests.Runs;

/// <summary>Passes streaming through and completes <see cref="FirstToken"/> when the engine has produced its first update.</summary>
internal sealed class StreamProbe(IChatClient inner, bool holdAfterFirstToken = false) : DelegatingChatClient(inner)
{
    private readonly TaskCompletionSource _first = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task FirstToken => _first.Task;

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (ChatResponseUpdate update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            _first.TrySetResult();
            if (holdAfterFirstToken)
            {
                // Keeps the step open (the model's stream unread) until the run is cancelled: a tiny model may
                // otherwise finish its answer before the cancel lands.
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            }

            yield return update;
        }
    }
}
