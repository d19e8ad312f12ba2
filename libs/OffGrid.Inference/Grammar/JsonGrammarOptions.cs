namespace OffGrid.Inference.Grammar;

/// <summary>
/// Bounds applied when turning JSON schemas into grammars. Sampling from a model with random or weak
/// weights follows the grammar blindly, so every free-form repetition gets an upper bound: otherwise a
/// model could keep generating string characters or array items until the context is full.
/// </summary>
internal sealed record JsonGrammarOptions
{
    /// <summary>The shared defaults.</summary>
    public static JsonGrammarOptions Default { get; } = new();

    /// <summary>Longest string (in characters) when the schema sets no <c>maxLength</c>.</summary>
    public int MaxStringLength { get; init; } = 256;

    /// <summary>Most array items when the schema sets no <c>maxItems</c>; also the most additional properties of an object.</summary>
    public int MaxArrayItems { get; init; } = 16;

    /// <summary>Deepest nesting of objects and arrays in schema-less JSON (<see cref="JsonSchemaGrammarBuilder.ForAnyJsonObject"/>).</summary>
    public int MaxNestingDepth { get; init; } = 4;

    /// <summary>Most digits of the integral and of the fractional part of a number.</summary>
    public int MaxNumberDigits { get; init; } = 15;

    /// <summary>
    /// Largest count a schema may ask for (<c>minItems</c>, <c>minLength</c>, a pattern's <c>{n}</c>): grammars spell
    /// repetitions out, so a larger minimum is refused and a larger maximum lowered to this.
    /// </summary>
    public int MaxRepetitions { get; init; } = 4096;

    /// <summary>Longest shortest value (in UTF-8 bytes) a schema may demand; more could never be generated within a context.</summary>
    public long MaxShortestValueBytes { get; init; } = 1 << 20;
}
