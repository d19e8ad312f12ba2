using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace OffGrid.AspNetCore.Hosting;

/// <summary>
/// A local model's chat client when it runs in the <see cref="ModelWorker"/>: each call goes to the worker running at that
/// moment (waiting while it restarts), through the remote OffGrid client, which reports a worker that dies mid-answer as
/// <see cref="OffGrid.Inference.Remote.BackendUnavailableException"/>.
/// </summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class WorkerChatClient(ModelWorker worker, string model) : IChatClient
{
    private readonly ChatClientMetadata _metadata = new(providerName: "offgrid", defaultModelId: model);

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        using IChatClient client = (await worker.GetBackendAsync(cancellationToken).ConfigureAwait(false)).CreateChatClient(model);
        return await client.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using IChatClient client = (await worker.GetBackendAsync(cancellationToken).ConfigureAwait(false)).CreateChatClient(model);
        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            yield return update;
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
        // The worker's clients are made per call; the worker belongs to the host.
    }
}
