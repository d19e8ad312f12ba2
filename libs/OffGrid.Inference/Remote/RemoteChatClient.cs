using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using OffGrid.Inference.Chat;

namespace OffGrid.Inference.Remote;

/// <summary>
/// A remote backend's chat client (Microsoft.Extensions.AI.OpenAI's or OllamaSharp's) with the backend's timeouts and
/// OffGrid's exceptions. Whole answers are streamed underneath, so that the first-token timeout applies to them too.
/// </summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class RemoteChatClient : DelegatingChatClient
{
    private readonly RemoteBackend _backend;
    private readonly string _model;

    public RemoteChatClient(IChatClient inner, RemoteBackend backend, string model)
        : base(inner)
    {
        _backend = backend;
        _model = model;
    }

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        await GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken).ConfigureAwait(false);

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ChatOptions? sent = WithoutLocalSettings(options);
        RemoteBackendOptions settings = _backend.Options;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.FirstTokenTimeout);
        long started = Stopwatch.GetTimestamp();
        bool first = true;
        IAsyncEnumerator<ChatResponseUpdate> updates = base.GetStreamingResponseAsync(messages, sent, timeout.Token).GetAsyncEnumerator(timeout.Token);
        try
        {
            while (true)
            {
                try
                {
                    if (!await updates.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }
                }
                catch (Exception ex) when (RemoteFailures.Translate(ex, _backend, $"answering '{_model}'", timeout, cancellationToken, first ? settings.FirstTokenTimeout : settings.RequestTimeout) is { } translated)
                {
                    throw translated;
                }

                if (first)
                {
                    // The rest of the answer gets what is left of the request timeout.
                    first = false;
                    TimeSpan left = settings.RequestTimeout - Stopwatch.GetElapsedTime(started);
                    timeout.CancelAfter(left > TimeSpan.Zero ? left : TimeSpan.Zero);
                }

                yield return updates.Current;
            }
        }
        finally
        {
            await updates.DisposeAsync().ConfigureAwait(false);
        }
    }

    public override object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(RemoteBackend) ? _backend : base.GetService(serviceType, serviceKey);

    /// <summary>
    /// The request's options for the backend: its own name for the model (the caller's may be the name OffGrid serves it
    /// under), and nothing that only OffGrid's local engine understands — a raw prompt cannot be sent through a chat API, and
    /// keep-alive is about the local pool.
    /// </summary>
    private ChatOptions? WithoutLocalSettings(ChatOptions? options)
    {
        if (LlamaChatOptions.IsRawPrompt(options))
        {
            throw new InvalidRequestException($"'{_model}' is served by the backend '{_backend.Name}', whose API takes chat messages: raw prompts need a local model.", "prompt");
        }

        if (options is null || (options.ModelId is null && options.AdditionalProperties is not { Count: > 0 }))
        {
            return options;
        }

        ChatOptions copy = options.Clone();
        copy.ModelId = null;
        if (options.AdditionalProperties is { Count: > 0 } properties)
        {
            copy.AdditionalProperties = new AdditionalPropertiesDictionary(properties.Where(p => p.Value is not null && p.Key is not (LlamaChatOptions.KeepAliveKey or LlamaChatOptions.RawPromptKey)));
        }

        return copy;
    }
}
