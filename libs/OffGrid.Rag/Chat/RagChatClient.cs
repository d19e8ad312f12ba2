using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;
using OffGrid.Rag.Search;

namespace OffGrid.Rag.Chat;

/// <summary>
/// Chat middleware that retrieves sources for the last user message from a <see cref="KnowledgeBase"/>, injects them as a system
/// message with numbered sources (<c>[1]</c>, <c>[2]</c>, …) just before that message, and exposes the citations on the response.
/// </summary>
/// <remarks>
/// <para>
/// Citations: <see cref="ChatResponse.AdditionalProperties"/>[<see cref="CitationsPropertyName"/>] holds an
/// <see cref="IReadOnlyList{T}"/> of <see cref="Citation"/>, where item <c>i</c> is source <c>[i + 1]</c>; every <c>[n]</c> marker in
/// the answer text also gets a <see cref="CitationAnnotation"/> spanning the marker. When streaming, the first update carries the
/// citations in its <see cref="ChatResponseUpdate.AdditionalProperties"/>.
/// </para>
/// <para>Thread-safe when the inner client is; the caller's message list is never modified.</para>
/// </remarks>
public sealed partial class RagChatClient : DelegatingChatClient
{
    /// <summary>The additional-properties key under which the citations are exposed.</summary>
    public const string CitationsPropertyName = "citations";

    private readonly KnowledgeBase _knowledgeBase;
    private readonly RagChatOptions _options;

    /// <summary>Wraps a chat client with retrieval from a knowledge base.</summary>
    /// <param name="innerClient">The client that generates answers.</param>
    /// <param name="knowledgeBase">Where sources come from.</param>
    /// <param name="options">Retrieval and prompt settings; validated here.</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public RagChatClient(IChatClient innerClient, KnowledgeBase knowledgeBase, RagChatOptions? options = null)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(knowledgeBase);
        _knowledgeBase = knowledgeBase;
        _options = options ?? new RagChatOptions();
        if (_options.Validate() is { Count: > 0 } errors)
        {
            throw new ArgumentException("Invalid RAG chat options: " + string.Join(" ", errors), nameof(options));
        }
    }

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        (List<ChatMessage> augmented, IReadOnlyList<Citation> citations) = await AugmentAsync(messages, cancellationToken).ConfigureAwait(false);
        ChatResponse response = await base.GetResponseAsync(augmented, options, cancellationToken).ConfigureAwait(false);
        if (citations.Count > 0)
        {
            (response.AdditionalProperties ??= [])[CitationsPropertyName] = citations;
            foreach (TextContent text in response.Messages.SelectMany(m => m.Contents).OfType<TextContent>())
            {
                Annotate(text, citations);
            }
        }

        return response;
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        (List<ChatMessage> augmented, IReadOnlyList<Citation> citations) = await AugmentAsync(messages, cancellationToken).ConfigureAwait(false);
        bool first = true;
        await foreach (ChatResponseUpdate update in base.GetStreamingResponseAsync(augmented, options, cancellationToken).ConfigureAwait(false))
        {
            if (first && citations.Count > 0)
            {
                (update.AdditionalProperties ??= [])[CitationsPropertyName] = citations;
            }

            first = false;
            yield return update;
        }
    }

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType == typeof(KnowledgeBase) ? _knowledgeBase : base.GetService(serviceType, serviceKey);
    }

    private async Task<(List<ChatMessage> Messages, IReadOnlyList<Citation> Citations)> AugmentAsync(IEnumerable<ChatMessage> messages, CancellationToken cancellationToken)
    {
        var list = messages.ToList();
        int lastUser = list.FindLastIndex(m => m.Role == ChatRole.User);
        string question = lastUser >= 0 ? list[lastUser].Text : string.Empty;
        if (string.IsNullOrWhiteSpace(question))
        {
            return (list, []);
        }

        IReadOnlyList<SearchHit> hits = await _knowledgeBase.SearchAsync(question, _options.Search, cancellationToken).ConfigureAwait(false);
        if (hits.Count == 0)
        {
            return (list, []);
        }

        var context = new StringBuilder(_options.Instructions).Append("\n\n");
        int budget = _options.MaxContextCharacters;
        var citations = new List<Citation>(hits.Count);
        foreach (SearchHit hit in hits)
        {
            if (budget <= 0)
            {
                break;
            }

            string text = hit.Text.Length > budget ? hit.Text[..budget] : hit.Text;
            budget -= text.Length;
            citations.Add(hit.Citation);
            context.Append('[').Append(citations.Count).Append("] ").Append(Describe(hit.Citation)).Append('\n').Append(text).Append("\n\n");
        }

        list.Insert(lastUser, new ChatMessage(ChatRole.System, context.ToString().TrimEnd()));
        return (list, citations);
    }

    private static string Describe(Citation citation)
    {
        var description = new StringBuilder(citation.Title).Append(" (").Append(citation.Source);
        if (citation.Page is int page)
        {
            description.Append(", page ").Append(page);
        }

        if (citation.HeadingPath.Length > 0)
        {
            description.Append(", ").Append(citation.HeadingPath);
        }

        return description.Append(')').ToString();
    }

    private static void Annotate(TextContent content, IReadOnlyList<Citation> citations)
    {
        foreach (Match marker in SourceMarker().Matches(content.Text ?? string.Empty))
        {
            if (!int.TryParse(marker.Groups[1].ValueSpan, out int number) || number < 1 || number > citations.Count)
            {
                continue;
            }

            Citation citation = citations[number - 1];
            var annotation = new CitationAnnotation
            {
                Title = citation.Title,
                Snippet = citation.Snippet,
                Url = Uri.TryCreate(citation.Source, UriKind.Absolute, out Uri? url) ? url : null,
                AnnotatedRegions = [new TextSpanAnnotatedRegion { StartIndex = marker.Index, EndIndex = marker.Index + marker.Length }],
                AdditionalProperties = new AdditionalPropertiesDictionary { ["source"] = citation.Source, ["page"] = citation.Page, ["chunkId"] = citation.ChunkId },
            };
            (content.Annotations ??= []).Add(annotation);
        }
    }

    [GeneratedRegex(@"\[(\d{1,3})\]")]
    private static partial Regex SourceMarker();
}
