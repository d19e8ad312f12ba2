using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;
using OffGrid.Rag.Chunking;
using OffGrid.Rag.Collections;
using OffGrid.Rag.Federation;
using OffGrid.Rag.Search;

namespace OffGrid.Rag.Chat;

/// <summary>
/// Chat middleware that retrieves sources for the last user message — from one <see cref="KnowledgeBase"/>, or from the
/// collections a request names under <see cref="KnowledgeKey"/> through an <see cref="IKnowledgeSearch"/> (local
/// <see cref="KnowledgeCollections"/>, or a <see cref="FederatedKnowledgeSearch"/> that includes remote OffGrid nodes) — injects them as a system message with
/// numbered sources (<c>[1]</c>, <c>[2]</c>, …) just before that message, within a token budget counted with the chat model's
/// tokenizer, and exposes the citations on the response.
/// </summary>
/// <remarks>
/// <para>
/// Citations: <see cref="ChatResponse.AdditionalProperties"/>[<see cref="CitationsPropertyName"/>] holds an
/// <see cref="IReadOnlyList{T}"/> of <see cref="Citation"/>, where item <c>i</c> is source <c>[i + 1]</c>; every <c>[n]</c> marker in
/// the answer text also gets a <see cref="CitationAnnotation"/> spanning the marker. When streaming, the first update carries the
/// citations in its <see cref="ChatResponseUpdate.AdditionalProperties"/>. A citation from a remote node names it
/// (<see cref="Citation.Node"/>); when remote nodes were asked, <see cref="KnowledgeNodesPropertyName"/> holds what each answered
/// (an <see cref="IReadOnlyList{T}"/> of <see cref="NodeSearchStatus"/>, where any <see cref="NodeSearchStatus.Error"/> means the
/// sources are partial), next to the citations.
/// </para>
/// <para>Thread-safe when the inner client is; the caller's message list and options are never modified.</para>
/// </remarks>
public sealed partial class RagChatClient : DelegatingChatClient
{
    /// <summary>The additional-properties key under which the citations are exposed.</summary>
    public const string CitationsPropertyName = "citations";

    /// <summary>The additional-properties key under which what each remote knowledge node answered is exposed, when nodes were asked.</summary>
    public const string KnowledgeNodesPropertyName = "knowledge_nodes";

    /// <summary>The <see cref="ChatOptions.AdditionalProperties"/> key of a request's <see cref="KnowledgeChatRequest"/>.</summary>
    public const string KnowledgeKey = "offgrid.knowledge";

    /// <summary>
    /// The <see cref="ChatOptions.AdditionalProperties"/> key under which <see cref="RagChatOptions.RequireCitations"/> passes its
    /// GBNF grammar down the pipeline (the key OffGrid's llama.cpp client and llama-server read).
    /// </summary>
    public const string GrammarKey = "grammar";

    private readonly KnowledgeBase? _knowledgeBase;
    private readonly IKnowledgeSearch? _search;
    private readonly RagChatOptions _options;

    /// <summary>Wraps a chat client with retrieval from a knowledge base, for every request.</summary>
    /// <param name="innerClient">The client that generates answers.</param>
    /// <param name="knowledgeBase">Where sources come from.</param>
    /// <param name="options">Retrieval and prompt settings; validated here.</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public RagChatClient(IChatClient innerClient, KnowledgeBase knowledgeBase, RagChatOptions? options = null)
        : this(innerClient, options)
    {
        ArgumentNullException.ThrowIfNull(knowledgeBase);
        _knowledgeBase = knowledgeBase;
    }

    /// <summary>
    /// Wraps a chat client with retrieval from the collections each request names (<see cref="KnowledgeKey"/>), or else from
    /// <see cref="RagChatOptions.DefaultCollections"/>; a request with neither passes through untouched.
    /// </summary>
    /// <param name="innerClient">The client that generates answers.</param>
    /// <param name="collections">Where sources come from.</param>
    /// <param name="options">Retrieval and prompt settings; validated here.</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public RagChatClient(IChatClient innerClient, KnowledgeCollections collections, RagChatOptions? options = null)
        : this(innerClient, (IKnowledgeSearch)collections, options)
    {
    }

    /// <summary>
    /// Wraps a chat client with retrieval through <paramref name="search"/> from the collections each request names
    /// (<see cref="KnowledgeKey"/>), or else from <see cref="RagChatOptions.DefaultCollections"/>; a request with neither passes
    /// through untouched. Use a <see cref="FederatedKnowledgeSearch"/> to include the collections' remote nodes.
    /// </summary>
    /// <param name="innerClient">The client that generates answers.</param>
    /// <param name="search">Where sources come from.</param>
    /// <param name="options">Retrieval and prompt settings; validated here.</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public RagChatClient(IChatClient innerClient, IKnowledgeSearch search, RagChatOptions? options = null)
        : this(innerClient, options)
    {
        ArgumentNullException.ThrowIfNull(search);
        _search = search;
    }

    private RagChatClient(IChatClient innerClient, RagChatOptions? options)
        : base(innerClient)
    {
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
        Augmented augmented = await AugmentAsync(messages, options, cancellationToken).ConfigureAwait(false);
        ChatResponse response = await base.GetResponseAsync(augmented.Messages, augmented.Options, cancellationToken).ConfigureAwait(false);
        if (augmented.Nodes.Count > 0)
        {
            (response.AdditionalProperties ??= [])[KnowledgeNodesPropertyName] = augmented.Nodes;
        }

        if (augmented.Citations.Count > 0)
        {
            (response.AdditionalProperties ??= [])[CitationsPropertyName] = augmented.Citations;
            foreach (TextContent text in response.Messages.SelectMany(m => m.Contents).OfType<TextContent>())
            {
                Annotate(text, augmented.Citations);
            }
        }

        return response;
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        Augmented augmented = await AugmentAsync(messages, options, cancellationToken).ConfigureAwait(false);
        bool first = true;
        await foreach (ChatResponseUpdate update in base.GetStreamingResponseAsync(augmented.Messages, augmented.Options, cancellationToken).ConfigureAwait(false))
        {
            if (first && (augmented.Citations.Count > 0 || augmented.Nodes.Count > 0))
            {
                if (augmented.Nodes.Count > 0)
                {
                    (update.AdditionalProperties ??= [])[KnowledgeNodesPropertyName] = augmented.Nodes;
                }

                if (augmented.Citations.Count > 0)
                {
                    (update.AdditionalProperties ??= [])[CitationsPropertyName] = augmented.Citations;
                }
            }

            first = false;
            yield return update;
        }
    }

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? base.GetService(serviceType, serviceKey)
            : serviceType == typeof(KnowledgeBase) && _knowledgeBase is not null ? _knowledgeBase
            : serviceType == typeof(IKnowledgeSearch) && _search is not null ? _search
            : serviceType == typeof(KnowledgeCollections) && (_search as KnowledgeCollections ?? (_search as FederatedKnowledgeSearch)?.Collections) is { } collections ? collections
            : base.GetService(serviceType, serviceKey);
    }

    private async Task<Augmented> AugmentAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        var list = messages.ToList();
        int lastUser = list.FindLastIndex(m => m.Role == ChatRole.User);
        string question = lastUser >= 0 ? list[lastUser].Text : string.Empty;
        KnowledgeChatRequest? request = ReadRequest(options);
        IReadOnlyList<string> collections = request?.Collections ?? [.. _options.DefaultCollections];
        if (string.IsNullOrWhiteSpace(question) || (_search is not null && collections.Count == 0))
        {
            return new Augmented(list, options, [], []);
        }

        SearchOptions search = SearchOptionsFor(request);
        KnowledgeSearchResult result = _search is not null
            ? await _search.SearchAsync(collections, question, search, cancellationToken).ConfigureAwait(false)
            : new KnowledgeSearchResult(await _knowledgeBase!.SearchAsync(question, search, cancellationToken).ConfigureAwait(false), []);
        IReadOnlyList<SearchHit> hits = result.Hits;
        if (hits.Count == 0)
        {
            return new Augmented(list, options, [], result.Nodes);
        }

        TokenCounter counter = _options.TokenCounter ?? TokenCounter.Estimate;
        var context = new StringBuilder(_options.Instructions).Append("\n\n");
        int budget = _options.MaxContextTokens;
        var citations = new List<Citation>(hits.Count);
        foreach (SearchHit hit in hits)
        {
            if (budget <= 0)
            {
                break;
            }

            (string text, int tokens) = Fit(hit.Text, budget, counter);
            budget -= tokens;
            citations.Add(hit.Citation);
            context.Append('[').Append(citations.Count).Append("] ").Append(Describe(hit.Citation)).Append('\n').Append(text).Append("\n\n");
        }

        list.Insert(lastUser, new ChatMessage(ChatRole.System, context.ToString().TrimEnd()));
        return new Augmented(list, WithCitationGrammar(options, request, citations.Count), citations, result.Nodes);
    }


    private static KnowledgeChatRequest? ReadRequest(ChatOptions? options) =>
        options?.AdditionalProperties?.TryGetValue(KnowledgeKey, out object? value) == true
            ? value as KnowledgeChatRequest ?? throw new InvalidKnowledgeRequestException($"'{KnowledgeKey}' must hold a {nameof(KnowledgeChatRequest)}.", "knowledge")
            : null;

    private SearchOptions SearchOptionsFor(KnowledgeChatRequest? request)
    {
        SearchOptions defaults = _options.Search;
        var search = new SearchOptions
        {
            Top = request?.Top ?? defaults.Top,
            Alpha = request?.Alpha ?? defaults.Alpha,
            Fusion = request?.Fusion ?? defaults.Fusion,
            ReciprocalRankK = defaults.ReciprocalRankK,
            CandidatePoolSize = defaults.CandidatePoolSize,
            Collection = _knowledgeBase is not null && request?.Collections is [string only] ? only : defaults.Collection,
            Filters = request?.Filters is { } filters ? new Dictionary<string, string>(filters, StringComparer.Ordinal) : defaults.Filters,
            MinScore = defaults.MinScore,
        };
        if (search.Validate() is { Count: > 0 } errors)
        {
            throw new InvalidKnowledgeRequestException("Invalid knowledge request: " + string.Join(" ", errors), "knowledge");
        }

        return search;
    }

    /// <summary>The request's options with a grammar that makes the answer open with a source marker, when citations are required.</summary>
    private ChatOptions? WithCitationGrammar(ChatOptions? options, KnowledgeChatRequest? request, int sources)
    {
        bool require = request?.RequireCitations ?? _options.RequireCitations;
        if (!require || sources == 0 || options?.Tools is { Count: > 0 } || options?.ResponseFormat is ChatResponseFormatJson)
        {
            return options;
        }

        ChatOptions copy = options?.Clone() ?? new ChatOptions();
        copy.AdditionalProperties = copy.AdditionalProperties is null ? [] : new AdditionalPropertiesDictionary(copy.AdditionalProperties);
        copy.AdditionalProperties[GrammarKey] = CitationGrammar(sources);
        return copy;
    }

    /// <summary>GBNF: <c>[n] </c> for one of the sources, then any text (further markers included).</summary>
    internal static string CitationGrammar(int sources)
    {
        string numbers = string.Join(" | ", Enumerable.Range(1, sources).Select(n => "\"" + n.ToString(CultureInfo.InvariantCulture) + "\""));
        return $"root ::= \"[\" ({numbers}) \"] \" answer\nanswer ::= [^\\x00]*\n";
    }

    /// <summary>The text, cut on a word boundary where needed so that it counts at most <paramref name="budget"/> tokens.</summary>
    private static (string Text, int Tokens) Fit(string text, int budget, TokenCounter counter)
    {
        int tokens = counter.Count(text);
        if (tokens <= budget)
        {
            return (text, tokens);
        }

        // Token counts grow with length: find the longest prefix that fits.
        int low = 0, high = text.Length;
        while (low < high)
        {
            int mid = (low + high + 1) / 2;
            if (counter.Count(text[..mid]) <= budget)
            {
                low = mid;
            }
            else
            {
                high = mid - 1;
            }
        }

        int space = text.LastIndexOf(' ', Math.Max(0, low - 1));
        string cut = text[..(space > low / 2 ? space : low)];
        return (cut, counter.Count(cut));
    }

    private static string Describe(Citation citation)
    {
        var description = new StringBuilder(citation.Title).Append(" (");
        if (citation.Node is not null)
        {
            description.Append("node ").Append(citation.Node).Append(": ");
        }

        description.Append(citation.Source);
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
                AdditionalProperties = new AdditionalPropertiesDictionary { ["source"] = citation.Source, ["page"] = citation.Page, ["chunkId"] = citation.ChunkId, ["node"] = citation.Node },
            };
            (content.Annotations ??= []).Add(annotation);
        }
    }

    [GeneratedRegex(@"\[(\d{1,3})\]")]
    private static partial Regex SourceMarker();

    /// <summary>The augmented conversation, the options to send (with a citation grammar when required), the sources in order and what each remote node answered.</summary>
    private sealed record Augmented(List<ChatMessage> Messages, ChatOptions? Options, IReadOnlyList<Citation> Citations, IReadOnlyList<NodeSearchStatus> Nodes);
}
