using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using OffGrid.Rag.Chat;
using OffGrid.Rag.Ingestion;
using OffGrid.Rag.Search;
using OffGrid.Rag.Tests.TestSupport;

namespace OffGrid.Rag.Tests.Chat;

public sealed class RagChatClientTests : IAsyncLifetime
{
    private readonly TestKnowledgeBase _test = new();
    private readonly RecordingChatClient _model = new("The valve is red [1]. Ignore [9].");
    private KnowledgeBase _kb = null!;

    public async ValueTask InitializeAsync()
    {
        _kb = _test.Open();
        await _kb.IngestAsync(
            [
                DocumentSource.FromText("https://docs.example/valves", "# Valves\n\nThe shutoff valve is painted red.", ContentFormat.Markdown) with { Title = "Valve Guide" },
                DocumentSource.FromText("notes", "Unrelated gardening notes about tomatoes."),
            ],
            cancellationToken: TestContext.Current.CancellationToken);
    }

    public ValueTask DisposeAsync()
    {
        _test.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task SourcesAreInjectedBeforeTheLastUserMessageAndCitationsComeBack()
    {
        IChatClient client = _model.AsBuilder().UseRag(_kb, o => o.Search = new SearchOptions { Top = 1 }).Build();
        ChatMessage[] conversation = [new(ChatRole.System, "Be brief."), new(ChatRole.User, "Hi"), new(ChatRole.Assistant, "Hello"), new(ChatRole.User, "Which colour is the shutoff valve?")];

        ChatResponse response = await client.GetResponseAsync(conversation, cancellationToken: TestContext.Current.CancellationToken);

        IList<ChatMessage> sent = _model.LastMessages!;
        Assert.Equal(5, sent.Count);
        Assert.Equal(4, conversation.Length);
        ChatMessage context = sent[3];
        Assert.Equal(ChatRole.System, context.Role);
        Assert.StartsWith(RagChatOptions.DefaultInstructions, context.Text, StringComparison.Ordinal);
        Assert.Contains("[1] Valve Guide (https://docs.example/valves, Valves)\n", context.Text, StringComparison.Ordinal);
        Assert.Contains("The shutoff valve is painted red.", context.Text, StringComparison.Ordinal);
        Assert.Same(conversation[3], sent[4]);

        var citations = Assert.IsAssignableFrom<IReadOnlyList<Citation>>(response.AdditionalProperties![RagChatClient.CitationsPropertyName]);
        Assert.Equal("https://docs.example/valves", Assert.Single(citations).Source);
        TextContent text = Assert.IsType<TextContent>(Assert.Single(response.Messages.Single().Contents));
        CitationAnnotation annotation = Assert.IsType<CitationAnnotation>(Assert.Single(text.Annotations!));
        Assert.Equal("Valve Guide", annotation.Title);
        Assert.Equal(new Uri("https://docs.example/valves"), annotation.Url);
        var region = Assert.IsType<TextSpanAnnotatedRegion>(Assert.Single(annotation.AnnotatedRegions!));
        Assert.Equal("[1]", text.Text[region.StartIndex!.Value..region.EndIndex!.Value]);
        Assert.Same(_kb, client.GetService<KnowledgeBase>());
    }

    [Fact]
    public async Task StreamingCarriesTheCitationsOnTheFirstUpdate()
    {
        IChatClient client = new RagChatClient(_model, _kb);

        List<ChatResponseUpdate> updates = [];
        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "shutoff valve colour")], cancellationToken: TestContext.Current.CancellationToken))
        {
            updates.Add(update);
        }

        Assert.True(updates.Count > 1);
        Assert.IsAssignableFrom<IReadOnlyList<Citation>>(updates[0].AdditionalProperties![RagChatClient.CitationsPropertyName]);
        Assert.Equal("The valve is red [1]. Ignore [9].", string.Concat(updates.Select(u => u.Text)));
        Assert.Contains(_model.LastMessages!, m => m.Role == ChatRole.System && m.Text.Contains("painted red", StringComparison.Ordinal));
        ChatResponse merged = updates.ToChatResponse();
        Assert.True(merged.AdditionalProperties?.ContainsKey(RagChatClient.CitationsPropertyName));
    }

    [Fact]
    public async Task WithoutAUserQuestionOrHitsTheRequestPassesThroughUnchanged()
    {
        IChatClient client = _model.AsBuilder().UseRag(_kb, o => o.Search = new SearchOptions { Alpha = 0 }).Build();

        ChatResponse response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "zebra")], cancellationToken: TestContext.Current.CancellationToken);

        Assert.Single(_model.LastMessages!);
        Assert.Null(response.AdditionalProperties);
        Assert.Throws<ArgumentException>(() => _model.AsBuilder().UseRag(_kb, o => o.MaxContextTokens = 0).Build());
    }

    /// <summary>Stands in for the language model: records what it was sent and answers with a fixed text.</summary>
    [Fact]
    public async Task SourcesAreBudgetedInTokensOfTheGivenCounter()
    {
        // One token per word: the budget keeps the first three words of the source.
        IChatClient client = _model.AsBuilder().UseRag(_kb, o =>
        {
            o.Search = new SearchOptions { Top = 1 };
            o.MaxContextTokens = 3;
            o.TokenCounter = OffGrid.Rag.Chunking.TokenCounter.FromFunction(text => text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length, "words");
        }).Build();

        await client.GetResponseAsync("Which colour is the shutoff valve?", cancellationToken: TestContext.Current.CancellationToken);

        string context = _model.LastMessages![0].Text;
        string source = context[(context.IndexOf("(https://docs.example/valves, Valves)\n", StringComparison.Ordinal) + "(https://docs.example/valves, Valves)\n".Length)..];
        Assert.Equal(3, source.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task RequiredCitationsBecomeAGrammarUnlessToolsAreOffered()
    {
        IChatClient client = _model.AsBuilder().UseRag(_kb, o => o.Search = new SearchOptions { Top = 2 }).Build();
        var request = new ChatOptions { AdditionalProperties = new() { [RagChatClient.KnowledgeKey] = new KnowledgeChatRequest { Collections = ["default"], RequireCitations = true } } };

        await client.GetResponseAsync("Which colour is the shutoff valve?", request, TestContext.Current.CancellationToken);
        string grammar = Assert.IsType<string>(_model.LastOptions!.AdditionalProperties![RagChatClient.GrammarKey]);
        Assert.Equal("root ::= \"[\" (\"1\" | \"2\") \"] \" answer\nanswer ::= [^\\x00]*\n", grammar);
        Assert.False(request.AdditionalProperties.ContainsKey(RagChatClient.GrammarKey));

        request.Tools = [AIFunctionFactory.Create(() => "ok", "noop")];
        await client.GetResponseAsync("Which colour is the shutoff valve?", request, TestContext.Current.CancellationToken);
        Assert.False(_model.LastOptions!.AdditionalProperties!.ContainsKey(RagChatClient.GrammarKey));
    }

    private sealed class RecordingChatClient(string answer) : IChatClient
    {
        public IList<ChatMessage>? LastMessages { get; private set; }

        public ChatOptions? LastOptions { get; private set; }

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            LastMessages = messages.ToList();
            LastOptions = options;
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, answer)));
        }

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            LastMessages = messages.ToList();
            foreach (string word in answer.Split(' '))
            {
                await Task.Yield();
                yield return new ChatResponseUpdate(ChatRole.Assistant, word == answer.Split(' ')[^1] ? word : word + " ");
            }
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
