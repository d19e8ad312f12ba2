using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OffGrid.Inference.Engine;
using OffGrid.Inference.Grammar;
using OffGrid.Inference.Models;
using OffGrid.Inference.ToolCalls;

namespace OffGrid.Inference.Chat;

/// <summary>
/// An <see cref="IChatClient"/> over a local GGUF model, served in-process by a <see cref="LlamaEngine"/>.
/// </summary>
/// <remarks>
/// Thread-safe: concurrent requests are batched together by the engine. Honours <see cref="ChatOptions.Temperature"/>,
/// <see cref="ChatOptions.TopP"/>, <see cref="ChatOptions.TopK"/>, <see cref="ChatOptions.Seed"/>,
/// <see cref="ChatOptions.FrequencyPenalty"/>, <see cref="ChatOptions.PresencePenalty"/>,
/// <see cref="ChatOptions.StopSequences"/>, <see cref="ChatOptions.MaxOutputTokens"/> and
/// <see cref="ChatOptions.Instructions"/>, <see cref="ChatOptions.ResponseFormat"/> (JSON and JSON Schema output are
/// guaranteed by grammar-constrained sampling) and <see cref="ChatOptions.Tools"/> with every <see cref="ChatToolMode"/>
/// (a required tool call is forced by a grammar; in auto mode the grammar activates when the model starts a call).
/// Constrained output is compact JSON and closes within <see cref="ChatOptions.MaxOutputTokens"/>: once the remaining
/// tokens only suffice to close the structure, the engine writes the shortest closing (finish reason
/// <see cref="ChatFinishReason.Length"/>), so the answer is a valid document or a complete call whenever the budget allows
/// one; a parallel call cut off after complete ones is dropped, the complete ones kept. A schema that cannot be enforced
/// (see <see cref="Grammar.UnsupportedSchemaException"/>) is refused, never loosened;
/// <c>min_p</c>, <c>repeat_penalty</c>, <c>repeat_last_n</c> and <c>enable_thinking</c> are read from
/// <see cref="ChatOptions.AdditionalProperties"/>, and <see cref="ChatOptions.Reasoning"/> with
/// <see cref="ReasoningEffort.None"/> turns thinking off (see <see cref="LlamaChatOptions.EnableThinkingKey"/>). Streaming and non-streaming responses produce the same text
/// for the same seed, and a streamed response carries its usage exactly once, in its last update.
/// </remarks>
public sealed class LlamaChatClient : IChatClient
{
    // The shortest bound a tight token budget gives free-form strings in tool arguments (a file name still fits).
    private const int MinToolStringLength = 16;

    private readonly LlamaEngine _engine;
    private readonly LlamaChatClientOptions _options;
    private readonly ChatPromptFormatter _formatter;
    private readonly ILogger _logger;
    private readonly InferenceMetrics _metrics;
    private readonly ChatClientMetadata _metadata;
    private readonly ToolCallFormat _toolCallFormat;
    private readonly int _maxToolCalls;
    private readonly bool _templateHasReasoning;

    /// <summary>Creates a chat client over an engine; it reports its generations on the process-wide <c>OffGrid.Inference</c> meter.</summary>
    /// <param name="engine">The engine serving the model; it must outlive the client.</param>
    /// <param name="options">Defaults; <see langword="null"/> for the built-in ones.</param>
    /// <param name="logger">Receives prompt-formatting warnings.</param>
    public LlamaChatClient(LlamaEngine engine, LlamaChatClientOptions? options = null, ILogger<LlamaChatClient>? logger = null)
        : this(engine, options, logger, InferenceMetrics.Shared)
    {
    }

    /// <summary>Creates a chat client of a pool, which reports its generations on the pool's meter.</summary>
    internal LlamaChatClient(LlamaEngine engine, LlamaChatClientOptions? options, ILogger<LlamaChatClient>? logger, InferenceMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(engine);
        _engine = engine;
        _metrics = metrics;
        _options = options ?? new LlamaChatClientOptions();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _formatter = new ChatPromptFormatter(engine.Model, _options.UseJinjaTemplate, _logger);
        _toolCallFormat = ToolCallFormatDetector.Detect(engine.Model.ChatTemplate);
        _maxToolCalls = ToolCallFormatDetector.AllowsParallelCalls(engine.Model.ChatTemplate) ? 4 : 1;
        _templateHasReasoning = engine.Model.ChatTemplate?.Contains(ToolCallMarkers.ThinkOpen, StringComparison.Ordinal) == true;
        _metadata = new ChatClientMetadata(InferenceTelemetry.ProviderName, providerUri: null, defaultModelId: ModelId);
    }

    /// <summary>The model id reported in responses.</summary>
    public string ModelId => _options.ModelId ?? _engine.Model.Id;

    /// <inheritdoc />
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ChatResponse response = await GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken).ConfigureAwait(false);

        // Combining updates leaves their properties on the message; the context describes the whole response.
        if (response.Messages.Select(m => m.AdditionalProperties?.GetValueOrDefault(LlamaChatOptions.ContextKey)).LastOrDefault(c => c is not null) is { } context)
        {
            (response.AdditionalProperties ??= [])[LlamaChatOptions.ContextKey] = context;
        }

        return response;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        List<ChatMessage> conversation = [.. messages];
        if (options?.Instructions is { Length: > 0 } instructions)
        {
            conversation.Insert(0, new ChatMessage(ChatRole.System, instructions));
        }

        if (conversation.Count == 0)
        {
            throw new InvalidRequestException("At least one message is required.", nameof(messages));
        }

        // Settings are checked before the prompt is formatted or tokenized.
        SamplingParameters sampling = CreateSampling(options);
        IReadOnlyList<AIFunctionDeclaration> tools = OfferedTools(options);
        bool raw = LlamaChatOptions.IsRawPrompt(options);
        FormattedPrompt formatted = raw
            ? new FormattedPrompt(string.Concat(conversation.Select(m => m.Text)), StartsWithBos: false)
            : _formatter.Format(conversation, tools, LlamaChatOptions.GetEnableThinking(options));
        string prompt = formatted.Text;
        int[] earlier = LlamaChatOptions.GetContextTokens(options, _engine.Model.VocabularySize);
        int[] tokens = [.. earlier, .. _engine.Model.Tokenize(prompt, addSpecial: earlier.Length == 0 && !formatted.StartsWithBos, parseSpecial: true)];

        ToolCallFormat format = tools.Count == 0 ? ToolCallFormat.None : _toolCallFormat;
        int? maxOutputTokens = options?.MaxOutputTokens ?? _options.DefaultMaxOutputTokens;
        var request = new GenerationRequest
        {
            PromptTokens = tokens,
            Sampling = ApplyGrammar(sampling, options, tools, format, maxOutputTokens),
            MaxOutputTokens = maxOutputTokens,
            StopSequences = options?.StopSequences?.ToArray() ?? [],
            CancellationToken = cancellationToken,
        };

        // Output is split into answer, reasoning and tool calls only where the model may produce them, so plain
        // completions come back byte for byte.
        // A required call's grammar applies from the first token, so reasoning a prompt opens (DeepSeek R1) never happens.
        bool forcedCall = tools.Count > 0 && options?.ToolMode is RequiredChatToolMode;
        StreamingToolCallParser? parser = !raw && (tools.Count > 0 || _templateHasReasoning)
            ? new StreamingToolCallParser(format, reasoningStartsOpen: !forcedCall && prompt.TrimEnd().EndsWith(ToolCallMarkers.ThinkOpen, StringComparison.Ordinal))
            : null;
        bool calledTools = false;
        string responseId = "chatcmpl-" + Guid.NewGuid().ToString("N")[..24];
        string messageId = "msg-" + Guid.NewGuid().ToString("N")[..24];
        DateTimeOffset created = DateTimeOffset.UtcNow;
        await foreach (GenerationUpdate update in _engine.Submit(request).ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            if (update.Finish == GenerationFinish.Cancelled)
            {
                cancellationToken.ThrowIfCancellationRequested();
                throw new OperationCanceledException();
            }

            List<AIContent> contents = [];
            if (parser is null)
            {
                if (update.Text.Length > 0)
                {
                    contents.Add(new TextContent(update.Text));
                }
            }
            else
            {
                // What the engine wrote to close the output within the budget goes to the parser apart from the model's text.
                string closing = update.Closing ?? string.Empty;
                contents.AddRange(parser.Append(update.Text[..^closing.Length]));
                if (update.Finish is not null)
                {
                    contents.AddRange(parser.Complete(update.Closing));
                }

                calledTools |= contents.OfType<FunctionCallContent>().Any();
            }

            var chatUpdate = new ChatResponseUpdate(ChatRole.Assistant, contents)
            {
                ResponseId = responseId,
                MessageId = messageId,
                CreatedAt = created,
                ModelId = ModelId,
            };

            if (update.Finish is { } finish)
            {
                if (earlier.Length > 0 || options?.AdditionalProperties?.ContainsKey(LlamaChatOptions.ContextKey) == true)
                {
                    // Ollama's context: the whole exchange in tokens, for the client to send back with its next prompt.
                    (chatUpdate.AdditionalProperties ??= [])[LlamaChatOptions.ContextKey] = (int[])[.. tokens, .. update.OutputTokenIds];
                }

                chatUpdate.FinishReason = calledTools ? ChatFinishReason.ToolCalls : finish == GenerationFinish.Length ? ChatFinishReason.Length : ChatFinishReason.Stop;
                _metrics.RecordGeneration(ModelId, update.PromptTokens, update.OutputTokens, update.QueueDuration, update.PromptDuration, update.GenerationDuration);
                var usage = new UsageDetails
                {
                    InputTokenCount = update.PromptTokens,
                    OutputTokenCount = update.OutputTokens,
                    TotalTokenCount = update.PromptTokens + update.OutputTokens,
                    CachedInputTokenCount = update.CachedPromptTokens,
                    AdditionalCounts = new AdditionalPropertiesDictionary<long>
                    {
                        [LlamaChatOptions.PromptEvalDurationKey] = update.PromptDuration.Ticks * 100,
                        [LlamaChatOptions.EvalDurationKey] = update.GenerationDuration.Ticks * 100,
                    },
                };
                if (update.DraftTokens > 0)
                {
                    usage.AdditionalCounts[LlamaChatOptions.DraftTokensKey] = update.DraftTokens;
                    usage.AdditionalCounts[LlamaChatOptions.AcceptedDraftTokensKey] = update.AcceptedDraftTokens;
                }

                chatUpdate.Contents.Add(new UsageContent(usage));
            }

            if (chatUpdate.Contents.Count > 0 || chatUpdate.FinishReason is not null)
            {
                yield return chatUpdate;
            }
        }
    }

    private static IReadOnlyList<AIFunctionDeclaration> OfferedTools(ChatOptions? options) =>
        options is null || options.ToolMode is NoneChatToolMode || options.Tools is not { Count: > 0 } tools
            ? []
            : tools.OfType<AIFunctionDeclaration>().ToList();

    private SamplingParameters ApplyGrammar(SamplingParameters sampling, ChatOptions? options, IReadOnlyList<AIFunctionDeclaration> tools, ToolCallFormat format, int? maxOutputTokens)
    {
        // One call per turn where the template could not show more in the next request. Strings the schema leaves unbounded
        // get at most a quarter of the token budget in characters, so a call has room to close before max_tokens.
        JsonGrammarOptions bounds = maxOutputTokens is { } budget
            ? JsonGrammarOptions.Default with { MaxStringLength = Math.Clamp(budget / 4, MinToolStringLength, JsonGrammarOptions.Default.MaxStringLength) }
            : JsonGrammarOptions.Default;
        ToolCallGrammar? toolGrammar = tools.Count == 0 ? null
            : FromClientSchema(() => ToolCallGrammarBuilder.ForToolMode(tools, options!.ToolMode, format, maxCalls: options.AllowMultipleToolCalls == false ? 1 : _maxToolCalls, bounds), "tools");
        if (toolGrammar is { IsLazy: false })
        {
            return sampling with { Grammar = toolGrammar.Grammar.Text };
        }

        if (FromClientSchema(() => ResponseFormatGrammar.For(options?.ResponseFormat), "response_format") is { } responseGrammar)
        {
            return ReadGrammar(options) is null
                ? sampling with { Grammar = responseGrammar.Text }
                : throw new InvalidRequestException($"A '{LlamaChatOptions.GrammarKey}' cannot be combined with a JSON response format.", LlamaChatOptions.GrammarKey);
        }

        if (ReadGrammar(options) is { } grammar)
        {
            return toolGrammar is null
                ? sampling with { Grammar = grammar }
                : throw new InvalidRequestException($"A '{LlamaChatOptions.GrammarKey}' cannot be combined with tools.", LlamaChatOptions.GrammarKey);
        }

        return toolGrammar is null ? sampling : sampling with { Grammar = toolGrammar.Grammar.Text, GrammarTriggerPatterns = toolGrammar.TriggerPatterns };
    }

    private static string? ReadGrammar(ChatOptions? options) =>
        options?.AdditionalProperties?.TryGetValue(LlamaChatOptions.GrammarKey, out object? value) == true
            ? value switch
            {
                null => null,
                string { Length: > 0 } text => text,
                JsonElement { ValueKind: JsonValueKind.String } e when e.GetString() is { Length: > 0 } text => text,
                _ => throw new InvalidRequestException($"The chat option '{LlamaChatOptions.GrammarKey}' must be a non-empty GBNF grammar string.", LlamaChatOptions.GrammarKey),
            }
            : null;

    // Schemas come from the client, so one that cannot become a grammar is the request's fault, not a bug.
    private static T FromClientSchema<T>(Func<T> build, string param)
    {
        try
        {
            return build();
        }
        catch (UnsupportedSchemaException ex) when (ex.ParamName is null)
        {
            throw new UnsupportedSchemaException(ex.Keyword, ex.SchemaPath, ex.Reason, param);
        }
        catch (Exception ex) when (ex is (ArgumentException or FormatException or NotSupportedException) and not InvalidRequestException)
        {
            throw new InvalidRequestException($"The JSON schema in '{param}' cannot be enforced: {ex.Message}", param, ex);
        }
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        return serviceType == typeof(ChatClientMetadata) ? _metadata
            : serviceType == typeof(LlamaModel) ? _engine.Model
            : serviceType == typeof(LlamaEngine) ? _engine
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    /// <summary>Does nothing: the engine and model belong to the caller.</summary>
    public void Dispose()
    {
    }

    private SamplingParameters CreateSampling(ChatOptions? options) =>
        SamplingRanges.Read(options, new SamplingParameters { Temperature = _options.DefaultTemperature });
}
