namespace OffGrid.Inference.Engine;

/// <summary>One prompt submitted to the engine.</summary>
internal sealed class GenerationRequest
{
    public required int[] PromptTokens { get; init; }

    public required SamplingParameters Sampling { get; init; }

    /// <summary>The most tokens to generate; <see langword="null"/> runs until the context is full.</summary>
    public int? MaxOutputTokens { get; init; }

    public IReadOnlyList<string> StopSequences { get; init; } = [];

    /// <summary>Keeps generating past end-of-generation tokens (benchmarks need an exact output length).</summary>
    public bool IgnoreEndOfGeneration { get; init; }

    public CancellationToken CancellationToken { get; init; }
}
