namespace OffGrid.Inference.Engine;

/// <summary>
/// A prompt does not fit in the model's context window. OffGrid never truncates a prompt silently.
/// </summary>
public sealed class ContextWindowExceededException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ContextWindowExceededException(int promptTokens, int contextSize)
        : base($"The prompt is {promptTokens} tokens but the context window is {contextSize} tokens (at least one token must remain for the answer). Shorten the prompt or raise the context size.")
    {
        PromptTokens = promptTokens;
        ContextSize = contextSize;
    }

    /// <summary>Creates the exception for a prompt and an answer of fixed lengths (a benchmark) that together do not fit.</summary>
    public ContextWindowExceededException(int promptTokens, int outputTokens, int contextSize)
        : base($"A prompt of {promptTokens} tokens plus {outputTokens} output tokens need a context of at least {promptTokens + outputTokens + 1} tokens, but the context window is {contextSize} tokens. Use fewer tokens or a larger context.")
    {
        PromptTokens = promptTokens;
        ContextSize = contextSize;
    }

    /// <summary>The prompt's length in tokens.</summary>
    public int PromptTokens { get; }

    /// <summary>The context window of one sequence in tokens.</summary>
    public int ContextSize { get; }
}
