using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace OffGrid.Inference.Chat;

/// <summary>
/// Typed structured output for any <see cref="IChatClient"/>, shaped like <c>GetResponseAsync&lt;T&gt;</c> of the
/// <c>Microsoft.Extensions.AI</c> package (which is not available here). With <see cref="LlamaChatClient"/> the JSON
/// is guaranteed to match the schema by grammar-constrained sampling.
/// </summary>
public static class ChatClientStructuredOutputExtensions
{
    private const string WrapperProperty = "data";

    // JSON Schema integers are unbounded, but a generated value must fit the CLR type it is read into, so the
    // type's range goes into the schema (and from there into the grammar).
    private static readonly AIJsonSchemaCreateOptions s_schemaOptions = new()
    {
        TransformSchemaNode = (context, node) =>
        {
            Type type = Nullable.GetUnderlyingType(context.TypeInfo.Type) ?? context.TypeInfo.Type;
            (long Min, long Max)? range = type == typeof(int) ? (int.MinValue, int.MaxValue)
                : type == typeof(short) ? (short.MinValue, short.MaxValue)
                : type == typeof(byte) ? (byte.MinValue, byte.MaxValue)
                : type == typeof(sbyte) ? (sbyte.MinValue, sbyte.MaxValue)
                : type == typeof(ushort) ? (ushort.MinValue, ushort.MaxValue)
                : type == typeof(uint) ? (uint.MinValue, uint.MaxValue)
                : null;
            if (range is { } r && node is JsonObject schema && !schema.ContainsKey("minimum") && !schema.ContainsKey("maximum"))
            {
                schema["minimum"] = r.Min;
                schema["maximum"] = r.Max;
            }

            return node;
        },
    };

    /// <summary>Asks for a response matching the JSON schema of <typeparamref name="T"/> and deserializes it.</summary>
    /// <typeparam name="T">The result type; non-object types are wrapped in an object with one <c>data</c> property.</typeparam>
    /// <param name="client">The chat client.</param>
    /// <param name="prompt">The user message.</param>
    /// <param name="options">Chat options; <see cref="ChatOptions.ResponseFormat"/> is replaced.</param>
    /// <param name="serializerOptions">Serializer options for the schema and the result; defaults to <see cref="AIJsonUtilities.DefaultOptions"/>.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="JsonException">The response is not valid JSON for <typeparamref name="T"/>.</exception>
    public static Task<StructuredChatResponse<T>> GetResponseAsync<T>(
        this IChatClient client, string prompt, ChatOptions? options = null, JsonSerializerOptions? serializerOptions = null, CancellationToken cancellationToken = default) =>
        GetResponseAsync<T>(client, [new ChatMessage(ChatRole.User, prompt)], options, serializerOptions, cancellationToken);

    /// <summary>Asks for a response matching the JSON schema of <typeparamref name="T"/> and deserializes it.</summary>
    /// <typeparam name="T">The result type; non-object types are wrapped in an object with one <c>data</c> property.</typeparam>
    /// <param name="client">The chat client.</param>
    /// <param name="messages">The conversation.</param>
    /// <param name="options">Chat options; <see cref="ChatOptions.ResponseFormat"/> is replaced.</param>
    /// <param name="serializerOptions">Serializer options for the schema and the result; defaults to <see cref="AIJsonUtilities.DefaultOptions"/>.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="JsonException">The response is not valid JSON for <typeparamref name="T"/>.</exception>
    public static async Task<StructuredChatResponse<T>> GetResponseAsync<T>(
        this IChatClient client, IEnumerable<ChatMessage> messages, ChatOptions? options = null, JsonSerializerOptions? serializerOptions = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(messages);
        serializerOptions ??= AIJsonUtilities.DefaultOptions;
        JsonElement schema = AIJsonUtilities.CreateJsonSchema(typeof(T), serializerOptions: serializerOptions, inferenceOptions: s_schemaOptions);
        bool wrapped = !schema.TryGetProperty("type", out JsonElement type) || type.ValueKind != JsonValueKind.String || type.GetString() != "object";
        if (wrapped)
        {
            schema = JsonSerializer.SerializeToElement(new JsonObject
            {
                ["type"] = "object",
                ["properties"] = new JsonObject { [WrapperProperty] = JsonNode.Parse(schema.GetRawText()) },
                ["required"] = new JsonArray(WrapperProperty),
                ["additionalProperties"] = false,
            });
        }

        ChatOptions effective = options?.Clone() ?? new ChatOptions();
        effective.ResponseFormat = ChatResponseFormat.ForJsonSchema(schema, typeof(T).Name);
        ChatResponse response = await client.GetResponseAsync(messages, effective, cancellationToken).ConfigureAwait(false);
        using JsonDocument document = JsonDocument.Parse(response.Text);
        JsonElement value = wrapped ? document.RootElement.GetProperty(WrapperProperty) : document.RootElement;
        T result = value.Deserialize<T>(serializerOptions) ?? throw new JsonException($"The response deserialized to null: {response.Text}");
        return new StructuredChatResponse<T>(response, result);
    }
}
