using Microsoft.Extensions.AI;

namespace OffGrid.Agents.Tests;

/// <summary>Sits between function invocation and the engine and keeps every request, to show what reached the model.</summary>
internal sealed class RecordingChatClient : DelegatingChatClient
{
    public RecordingChatClient(IChatClient inner)
        : base(inner)
    {
    }

    public List<(List<ChatMessage> Messages, ChatOptions? Options)> Requests { get; } = [];

    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        lock (Requests)
        {
            Requests.Add(([.. messages], options?.Clone()));
        }

        return base.GetResponseAsync(messages, options, cancellationToken);
    }

    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        lock (Requests)
        {
            Requests.Add(([.. messages], options?.Clone()));
        }

        return base.GetStreamingResponseAsync(messages, options, cancellationToken);
    }
}
