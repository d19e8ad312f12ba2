using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using OffGrid.Inference.Chat;

namespace OffGrid.Inference.Pooling;

/// <summary>
/// An <see cref="IChatClient"/> that holds a pooled model only for the duration of each request, so that the model
/// loads on first use and unloads after the pool's keep-alive. Per request, <see cref="LlamaChatOptions.ContextSizeKey"/>
/// and <see cref="LlamaChatOptions.KeepAliveKey"/> choose the context the model is loaded with and how long it stays.
/// </summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class PooledChatClient : IChatClient
{
    private readonly LlamaModelPool _pool;
    private readonly string _modelPath;
    private readonly ChatClientMetadata _metadata;

    public PooledChatClient(LlamaModelPool pool, string modelPath, string modelId)
    {
        _pool = pool;
        _modelPath = modelPath;
        _metadata = new ChatClientMetadata(InferenceTelemetry.ProviderName, providerUri: null, defaultModelId: modelId);
    }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        using LlamaModelLease lease = await AcquireAsync(options, cancellationToken).ConfigureAwait(false);
        ChatResponse response = await lease.ChatClient.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        response.ModelId = _metadata.DefaultModelId;
        return response;
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using LlamaModelLease lease = await AcquireAsync(options, cancellationToken).ConfigureAwait(false);
        await foreach (ChatResponseUpdate update in lease.ChatClient.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            update.ModelId = _metadata.DefaultModelId;
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(ChatClientMetadata) ? _metadata
            : serviceType == typeof(LlamaModelPool) ? _pool
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    public void Dispose()
    {
        // The pool owns the models.
    }

    private Task<LlamaModelLease> AcquireAsync(ChatOptions? options, CancellationToken cancellationToken) =>
        _pool.AcquireAsync(_modelPath, LlamaChatOptions.GetKeepAlive(options?.AdditionalProperties), LlamaChatOptions.GetContextSize(options?.AdditionalProperties), cancellationToken: cancellationToken);
}
