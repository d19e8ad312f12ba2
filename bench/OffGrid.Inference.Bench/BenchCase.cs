namespace OffGrid.Inference.Bench;

/// <summary>One model and the workload run on it.</summary>
/// <param name="Name">The model's name in the table.</param>
/// <param name="Path">The GGUF file.</param>
/// <param name="PromptTokens">Prompt length per stream.</param>
/// <param name="OutputTokens">Tokens generated per stream.</param>
/// <param name="Iterations">Measured runs per row (after one short warm-up per context).</param>
/// <param name="SingleStreamTarget">The least chat-client/plain-loop generation ratio that meets the target.</param>
internal sealed record BenchCase(string Name, string Path, int PromptTokens, int OutputTokens, int Iterations, double SingleStreamTarget)
{
    /// <summary>The context of one sequence: prompt plus output, with room for the tokenizer's rounding.</summary>
    public int ContextPerSequence => (PromptTokens + OutputTokens + 64 + 255) / 256 * 256;
}
