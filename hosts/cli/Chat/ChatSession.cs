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
    private readonly ToolActivity? _tools;
    private readonly int _maxToolRounds;
    private readonly List<ChatMessage> _history = [];

    /// <summary>Starts an empty conversation.</summary>
    /// <param name="client">The chat pipeline (with function invocation when tools are offered).</param>
    /// <param name="options">The options of every request, tools included.</param>
    /// <param name="tools">Shows tool calls and asks for approvals; <see langword="null"/> without tools.</param>
    /// <param name="maxToolRounds">How many times one question may go back to the model after approvals before tools are withdrawn.</param>
    public ChatSession(IChatClient client, ChatOptions options, ToolActivity? tools = null, int maxToolRounds = 10)
    {
        _client = client;
        Options = options;
        _tools = tools;
        _maxToolRounds = maxToolRounds;
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

    /// <summary>Whether the engine drafts tokens (speculative decoding), so the answers' figures report the drafts even when there were none.</summary>
    public bool Speculative { get; init; }

    /// <summary>The messages so far, user and assistant turns alternating.</summary>
    public IReadOnlyList<ChatMessage> History => _history;

    /// <summary>Forgets the conversation; the options stay.</summary>
    public void Clear() => _history.Clear();

    /// <summary>
    /// Sends <paramref name="text"/> and writes the answer to <paramref name="output"/> as it is generated, followed by the
    /// sources it was given (<c>Sources:</c> and one <c>[n] title (file, page)</c> line each) when the client retrieved any.
    /// </summary>
    /// <returns>The answer's token counts and speeds, when the client reports them.</returns>
    /// <remarks>
    /// Tool calls and results are shown as they happen; calls that need approval are put to the user, and the answer
    /// continues with their decisions. A cancelled answer leaves the history as it was before the question. In
    /// <see cref="CompletionMode"/> the history is not used.
    /// </remarks>
    public async Task<GenerationStats?> SendAsync(string text, TextWriter output, CancellationToken cancellationToken)
    {
        if (CompletionMode)
        {
            ChatOptions raw = Options.Clone();
            raw.AdditionalProperties ??= [];
            raw.AdditionalProperties[LlamaChatOptions.RawPromptKey] = true;
            raw.MaxOutputTokens ??= DefaultCompletionTokens;
            return GenerationStats.From(await StreamAsync([new ChatMessage(ChatRole.User, text)], raw, output, cancellationToken).ConfigureAwait(false), raw, Speculative);
        }

        int before = _history.Count;
        _history.Add(new ChatMessage(ChatRole.User, text));
        ChatOptions options = Options;
        try
        {
            for (int round = 1; ; round++)
            {
                ChatResponse response = await StreamAsync(_history, options, output, cancellationToken).ConfigureAwait(false);
                _history.AddMessages(response);
                List<ToolApprovalRequestContent> requests = [.. response.Messages.SelectMany(m => m.Contents).OfType<ToolApprovalRequestContent>()];
                if (requests.Count == 0 || _tools is null)
                {
                    return GenerationStats.From(response, options, Speculative);
                }

                var decisions = new List<AIContent>();
                foreach (ToolApprovalRequestContent request in requests)
                {
                    decisions.Add(request.CreateResponse(await _tools.ApproveAsync(request, cancellationToken).ConfigureAwait(false)));
                }

                _history.Add(new ChatMessage(ChatRole.User, decisions));

                // A required tool call was made; after the approvals the model may answer, and after the last round it must.
                options = Options.Clone();
                options.ToolMode = round >= _maxToolRounds ? ChatToolMode.None : ChatToolMode.Auto;
            }
        }
        catch
        {
            _history.RemoveRange(before, _history.Count - before);
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
                _tools?.Show(update);
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
