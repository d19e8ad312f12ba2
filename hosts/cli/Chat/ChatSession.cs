using Microsoft.Extensions.AI;
using OffGrid.Cli.Knowledge;
using OffGrid.Inference.Chat;
using OffGrid.Rag.Chat;
using OffGrid.Rag.Search;

namespace OffGrid.Cli.Chat;

/// <summary>A conversation with one chat client: the history, the options of every request, and streamed answers.</summary>
/// <remarks>Not thread-safe: one answer at a time.</remarks>
internal sealed class ChatSession
{
    private readonly IChatClient _client;
    private readonly List<ChatMessage> _history = [];

    /// <summary>Starts an empty conversation.</summary>
    public ChatSession(IChatClient client, ChatOptions options)
    {
        _client = client;
        Options = options;
    }

    /// <summary>The options sent with every request (temperature, seed, system prompt as <see cref="ChatOptions.Instructions"/>, …).</summary>
    public ChatOptions Options { get; }

    /// <summary>The most tokens a completion gets when no limit is set: a base model seldom ends its text (stories260K never does).</summary>
    public const int DefaultCompletionTokens = 256;

    /// <summary>
    /// Whether each message is continued as plain text, without the chat template or the conversation so far: how a base
    /// model (one without a chat template) is used. Without <see cref="ChatOptions.MaxOutputTokens"/> a completion stops
    /// after <see cref="DefaultCompletionTokens"/>.
    /// </summary>
    public bool CompletionMode { get; set; }

    /// <summary>The messages so far, user and assistant turns alternating.</summary>
    public IReadOnlyList<ChatMessage> History => _history;

    /// <summary>Forgets the conversation; the options stay.</summary>
    public void Clear() => _history.Clear();

    /// <summary>
    /// Sends <paramref name="text"/> and writes the answer to <paramref name="output"/> as it is generated, followed by the
    /// sources it was given (<c>Sources:</c> and one <c>[n] title (file, page)</c> line each) when the client retrieved any.
    /// </summary>
    /// <returns>The answer's token counts and speeds, when the client reports them.</returns>
    /// <remarks>A cancelled answer leaves the history as it was before the question. In <see cref="CompletionMode"/> the history is not used.</remarks>
    public async Task<GenerationStats?> SendAsync(string text, TextWriter output, CancellationToken cancellationToken)
    {
        if (CompletionMode)
        {
            ChatOptions raw = Options.Clone();
            raw.AdditionalProperties ??= [];
            raw.AdditionalProperties[LlamaChatOptions.RawPromptKey] = true;
            raw.MaxOutputTokens ??= DefaultCompletionTokens;
            return GenerationStats.From((await StreamAsync([new ChatMessage(ChatRole.User, text)], raw, output, cancellationToken).ConfigureAwait(false)).Usage);
        }

        _history.Add(new ChatMessage(ChatRole.User, text));
        try
        {
            ChatResponse response = await StreamAsync(_history, Options, output, cancellationToken).ConfigureAwait(false);
            _history.AddMessages(response);
            return GenerationStats.From(response.Usage);
        }
        catch
        {
            _history.RemoveAt(_history.Count - 1);
            throw;
        }
    }

    private async Task<ChatResponse> StreamAsync(IEnumerable<ChatMessage> messages, ChatOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        var updates = new List<ChatResponseUpdate>();
        try
        {
            await foreach (ChatResponseUpdate update in _client.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
            {
                updates.Add(update);
                await output.WriteAsync(update.Text).ConfigureAwait(false);
                await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            if (updates.Select(u => u.AdditionalProperties?.GetValueOrDefault(RagChatClient.CitationsPropertyName)).OfType<IReadOnlyList<Citation>>().FirstOrDefault() is { Count: > 0 } sources)
            {
                await output.WriteAsync(Environment.NewLine + Environment.NewLine + "Sources:").ConfigureAwait(false);
                for (int i = 0; i < sources.Count; i++)
                {
                    await output.WriteAsync($"{Environment.NewLine}[{i + 1}] {SourceLine.Describe(sources[i])}").ConfigureAwait(false);
                }
            }
        }
        finally
        {
            output.Flush(); // the end of the answer: a word-wrapping writer writes the word it holds
        }

        return updates.ToChatResponse();
    }
}
