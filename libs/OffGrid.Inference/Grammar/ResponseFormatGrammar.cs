using Microsoft.Extensions.AI;

namespace OffGrid.Inference.Grammar;

/// <summary>Chooses the grammar that enforces a <see cref="ChatResponseFormat"/>.</summary>
internal static class ResponseFormatGrammar
{
    /// <summary>
    /// The grammar for <paramref name="format"/>: <see langword="null"/> for text (or no format), the schema's grammar
    /// for JSON with a schema, and any JSON object for JSON without one.
    /// </summary>
    /// <exception cref="UnsupportedSchemaException">The schema uses a feature that cannot be enforced (e.g. a remote <c>$ref</c> or a look-ahead in a pattern).</exception>
    public static GbnfGrammar? For(ChatResponseFormat? format, JsonGrammarOptions? options = null) => format switch
    {
        ChatResponseFormatJson { Schema: { } schema } => JsonSchemaGrammarBuilder.ForSchema(schema, options),
        ChatResponseFormatJson => JsonSchemaGrammarBuilder.ForAnyJsonObject(options),
        _ => null,
    };
}
