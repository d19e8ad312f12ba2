using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using OffGrid.Inference.Chat;
using OllamaSharp.Models.Chat;

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

        // Updates that say nothing (an empty text, no finish reason) are held back until one does: a body the client
        // library could not read as its API (HTML, another JSON shape) comes out as nothing but those, and must fail as a
        // bad answer — before the first update, so that the balancer counts it and can fail over.
        List<ChatResponseUpdate>? held = null;
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
                    if (!SaysSomething(updates.Current))
                    {
                        (held ??= []).Add(updates.Current);
                        continue;
                    }

                    // The rest of the answer gets what is left of the request timeout.
                    first = false;
                    TimeSpan left = settings.RequestTimeout - Stopwatch.GetElapsedTime(started);
                    timeout.CancelAfter(left > TimeSpan.Zero ? left : TimeSpan.Zero);
                    foreach (ChatResponseUpdate update in held ?? [])
                    {
                        yield return update;
                    }
                }

                yield return WithBackendTimings(updates.Current);
            }

            if (first)
            {
                throw new BackendUnavailableException(
                    _backend.Name,
                    BackendFailure.BadResponse,
                    $"The backend '{_backend.Name}' ({_backend.Endpoint}) gave a bad answer while answering '{_model}': its body is not a {_backend.Kind switch { RemoteBackendKind.Ollama => "Ollama", _ => "OpenAI" }} chat answer (no text, tool call or finish reason).");
            }
        }
        finally
        {
            await updates.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Ollama's last chunk says how long the backend spent loading the model (<c>load_duration</c>), which OllamaSharp leaves in
    /// the raw chunk; it goes into the usage under <see cref="LlamaChatOptions.LoadDurationKey"/>, where OffGrid's own Ollama
    /// surface reads it.
    /// </summary>
    private static ChatResponseUpdate WithBackendTimings(ChatResponseUpdate update)
    {
        if (update.RawRepresentation is ChatDoneResponseStream { LoadDuration: > 0 } done && update.Contents.OfType<UsageContent>().FirstOrDefault() is { } usage)
        {
            (usage.Details.AdditionalCounts ??= [])[LlamaChatOptions.LoadDurationKey] = done.LoadDuration;
        }

        return update;
    }

    /// <summary>Whether an update is part of a real answer: text, a tool call, usage or any other content, or a finish reason.</summary>
    private static bool SaysSomething(ChatResponseUpdate update) =>
        update.FinishReason is not null || update.Contents.Any(content => content is not TextContent { Text: null or "" });

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
