using Microsoft.Extensions.AI;

namespace OffGrid.AspNetCore.Chat;

/// <summary>
/// A streaming chat response whose first update has already arrived, so that errors raised before any output
/// (unknown option, prompt longer than the context, full queue) still become an HTTP error status instead of a
/// broken stream.
/// </summary>
internal sealed class ChatUpdateStream : IAsyncDisposable
{
    private readonly IAsyncEnumerator<ChatResponseUpdate> _updates;
    private bool _hasCurrent;

    private ChatUpdateStream(IAsyncEnumerator<ChatResponseUpdate> updates)
    {
        _updates = updates;
    }

    /// <summary>Starts the response and waits for its first update.</summary>
    public static async Task<ChatUpdateStream> StartAsync(IChatClient client, IEnumerable<ChatMessage> messages, ChatOptions options, CancellationToken cancellationToken)
    {
        var stream = new ChatUpdateStream(client.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken));
        try
        {
            stream._hasCurrent = await stream._updates.MoveNextAsync().ConfigureAwait(false);
            stream._first = stream._hasCurrent ? stream._updates.Current : null;
            return stream;
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The first update, or <see langword="null"/> when the response has none.</summary>
    public ChatResponseUpdate? First => _hasCurrent ? _first : null;

    private ChatResponseUpdate? _first;

    /// <summary>Every update, the first one included.</summary>
    public async IAsyncEnumerable<ChatResponseUpdate> ReadAllAsync()
    {
        while (_hasCurrent)
        {
            yield return _updates.Current;
            _hasCurrent = await _updates.MoveNextAsync().ConfigureAwait(false);
        }
    }

    public ValueTask DisposeAsync() => _updates.DisposeAsync();
}
