namespace OffGrid.Inference.Engine;

/// <summary>How the next token is chosen for one request.</summary>
internal sealed record SamplingParameters
{
    public float Temperature { get; init; } = 0.8f;

    public int TopK { get; init; } = 40;

    public float TopP { get; init; } = 0.95f;

    public float MinP { get; init; } = 0.05f;

    public float RepeatPenalty { get; init; } = 1.0f;

    public int RepeatLastN { get; init; } = 64;

    public float FrequencyPenalty { get; init; }

    public float PresencePenalty { get; init; }

    public uint Seed { get; init; } = 0xFFFFFFFF;

    /// <summary>A GBNF grammar constraining the output, or <see langword="null"/>.</summary>
    public string? Grammar { get; init; }

    /// <summary>When set, the grammar applies only after one of these patterns appears in the output (lazy grammar).</summary>
    public IReadOnlyList<string>? GrammarTriggerPatterns { get; init; }

    public bool IsGreedy => Temperature <= 0;
}
