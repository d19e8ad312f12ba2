using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace OffGrid.Agents.Tests.Runs;

/// <summary>Passes streaming through and completes <see cref="FirstToken"/> when the engine has produced its first update.</summary>
internal sealed class StreamProbe(IChatClient inner) : DelegatingChatClient(inner)
{
    private readonly TaskCompletionSource _first = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task FirstToken => _first.Task;

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (ChatResponseUpdate update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            _first.TrySetResult();
            yield return update;
        }
    }
}
