using OffGrid.Inference.Models;
using OffGrid.Inference.Native;

namespace OffGrid.Inference.Engine.Speculation;

/// <summary>Creates the drafter that <see cref="SpeculativeDecodingOptions"/> asks for.</summary>
internal static class SpeculationSetup
{
    /// <summary>Returns the drafter, or <see langword="null"/> when speculation is off.</summary>
    /// <exception cref="FileNotFoundException">The draft model file does not exist.</exception>
    /// <exception cref="ModelLoadException">The draft model cannot be loaded or its vocabulary does not match the target's.</exception>
    public static ITokenDrafter? CreateDrafter(LlamaModel target, SpeculativeDecodingOptions options, int sequences, int contextSize, int batchSize, int threads, SafeGgmlThreadPoolHandle? threadPool)
    {
        if (options.NgramSize is > 0 and var size)
        {
            return new NgramDrafter(size);
        }

        if (options.DraftModelPath is not { } path)
        {
            return null;
        }

        // The engine is built synchronously, after its target model; LlamaModel.LoadAsync captures no context.
        LlamaModel draft = LlamaModel.LoadAsync(path, new LlamaModelOptions { PlannedContextSize = contextSize }).GetAwaiter().GetResult();
        try
        {
            return new DraftModelDrafter(target, draft, sequences, contextSize, batchSize, threads, threadPool);
        }
        catch
        {
            draft.Dispose();
            throw;
        }
    }
}
