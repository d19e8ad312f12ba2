namespace OffGrid.Inference.Benchmarking;

/// <summary>What <see cref="LlamaBenchmark"/> measures.</summary>
public sealed class LlamaBenchmarkOptions
{
    /// <summary>Prompt length in tokens. Defaults to 128.</summary>
    public int PromptTokens { get; set; } = 128;

    /// <summary>Tokens generated per run (end-of-generation tokens are ignored so every run has this length). Defaults to 64.</summary>
    public int OutputTokens { get; set; } = 64;

    /// <summary>Measured runs. Defaults to 3.</summary>
    public int Iterations { get; set; } = 3;

    /// <summary>Streams generated at once in each run (aggregate throughput). Defaults to 1.</summary>
    public int ConcurrentStreams { get; set; } = 1;

    internal void Validate()
    {
        foreach ((string name, int value) in new[] { (nameof(PromptTokens), PromptTokens), (nameof(OutputTokens), OutputTokens), (nameof(Iterations), Iterations), (nameof(ConcurrentStreams), ConcurrentStreams) })
        {
            if (value < 1)
            {
                throw new InvalidRequestException($"{name} must be at least 1; it is {value}.", name);
            }
        }
    }
}
