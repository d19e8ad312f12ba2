using System.Text.Json;
using OffGrid.AspNetCore.Chat;
using OffGrid.AspNetCore.Http;

namespace OffGrid.AspNetCore.Ollama;

/// <summary>Ollama's <c>options</c> object (the model-file parameters a request may override).</summary>
/// <remarks>
/// <c>num_ctx</c> loads the model with that context (once per distinct size, as Ollama reloads). Options OffGrid sets per
/// server rather than per request (<c>num_gpu</c>, <c>num_thread</c>...) are accepted and ignored, as Ollama ignores
/// options a model does not use.
/// </remarks>
internal sealed class OllamaOptions
{
    public float? Temperature { get; set; }

    public float? TopP { get; set; }

    public int? TopK { get; set; }

    public long? Seed { get; set; }

    /// <summary>Tokens to generate; -1 (no limit) and -2 (fill the context) both mean no limit.</summary>
    public int? NumPredict { get; set; }

    public List<string>? Stop { get; set; }

    public float? RepeatPenalty { get; set; }

    public int? RepeatLastN { get; set; }

    public float? MinP { get; set; }

    public float? PresencePenalty { get; set; }

    public float? FrequencyPenalty { get; set; }

    public int? NumCtx { get; set; }

    /// <summary>OffGrid's extension: answer from knowledge collections, <c>{"collections":["docs"],"top_k":5}</c>.</summary>
    public OffGrid.AspNetCore.Knowledge.KnowledgeField? Knowledge { get; set; }

    /// <summary>The per-sequence context the request asks for, validated.</summary>
    public static int? ContextSize(OllamaOptions? options) => ContextSizeOption.Read(options?.NumCtx, "options.num_ctx");

    /// <summary>Validates the options and converts them, with the request's <c>format</c>, to chat options.</summary>
    public static Microsoft.Extensions.AI.ChatOptions ToChatOptions(OllamaOptions? options, JsonElement? format, List<ToolDefinition>? tools)
    {
        Microsoft.Extensions.AI.ChatOptions chat = new SamplingSettings
        {
            Temperature = options?.Temperature,
            TopP = options?.TopP,
            TopK = options?.TopK,
            Seed = options?.Seed,
            MaxOutputTokens = options?.NumPredict is -1 or -2 ? null : options?.NumPredict,
            Stop = options?.Stop,
            PresencePenalty = options?.PresencePenalty,
            FrequencyPenalty = options?.FrequencyPenalty,
            MinP = options?.MinP,
            RepeatPenalty = options?.RepeatPenalty,
            RepeatLastN = options?.RepeatLastN,
        }.ToChatOptions(SamplingFieldNames.Ollama);
        chat.ResponseFormat = format switch
        {
            null or { ValueKind: JsonValueKind.Null } => null,
            { ValueKind: JsonValueKind.String } s when s.GetString() is "" => null,
            { ValueKind: JsonValueKind.String } s when s.GetString() is "json" => Microsoft.Extensions.AI.ChatResponseFormat.Json,
            { ValueKind: JsonValueKind.Object } schema => Microsoft.Extensions.AI.ChatResponseFormat.ForJsonSchema(schema),
            _ => throw ApiException.BadRequest("'format' must be \"json\" or a JSON Schema object.", "format"),
        };
        chat.Tools = ToolDefinition.ToDeclarations(tools);
        OffGrid.AspNetCore.Knowledge.KnowledgeChat.Apply(options?.Knowledge, chat, "options.knowledge");
        return chat;
    }

    /// <summary>Applies the request's <c>think</c> field: a boolean, or an effort level (which thinks).</summary>
    /// <exception cref="ApiException">400 for anything else.</exception>
    public static void ApplyThink(Microsoft.Extensions.AI.ChatOptions options, JsonElement? think)
    {
        bool? enable = think switch
        {
            null or { ValueKind: JsonValueKind.Null } => null,
            { ValueKind: JsonValueKind.True } => true,
            { ValueKind: JsonValueKind.False } => false,
            { ValueKind: JsonValueKind.String } level when level.GetString() is "low" or "medium" or "high" => true,
            _ => throw ApiException.BadRequest("'think' must be true, false, \"low\", \"medium\" or \"high\".", "think"),
        };
        if (enable is { } value)
        {
            (options.AdditionalProperties ??= [])[OffGrid.Inference.Chat.LlamaChatOptions.EnableThinkingKey] = value;
        }
    }
}
