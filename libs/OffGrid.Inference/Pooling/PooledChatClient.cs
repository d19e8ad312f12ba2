using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace OffGrid.Inference.Pooling;

/// <summary>An <see cref="IChatClient"/> that holds a pooled model only for the duration of each request.</summary>
internal sealed class PooledChatClient : IChatClient
{
    private readonly LlamaModelPool _pool;
    private readonly string _modelPath;

    public PooledChatClient(LlamaModelPool pool, string modelPath)
    {
        _pool = pool;
        _modelPath = modelPath;
    }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        using LlamaModelLease lease = await _pool.AcquireAsync(_modelPath, cancellationToken: cancellationToken).ConfigureAwait(false);
        return await lease.ChatClient.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using LlamaModelLease lease = await _pool.AcquireAsync(_modelPath, cancellationToken: cancellationToken).ConfigureAwait(false);
        await foreach (ChatResponseUpdate update in lease.ChatClient.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this
        : serviceKey is null && serviceType == typeof(LlamaModelPool) ? _pool
        : null;

    public void Dispose()
    {
    }
}
