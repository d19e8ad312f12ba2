using Microsoft.Extensions.AI;

namespace OffGrid.Inference.Chat;

/// <summary>A chat response whose text was constrained to the JSON schema of <typeparamref name="T"/>, with the deserialized value.</summary>
/// <typeparam name="T">The result type.</typeparam>
/// <param name="Response">The underlying chat response (its text is the JSON).</param>
/// <param name="Result">The deserialized result.</param>
public sealed record StructuredChatResponse<T>(ChatResponse Response, T Result);
