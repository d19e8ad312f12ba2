namespace OffGrid.Inference.Engine.Speculation;

/// <summary>
/// Speculative decoding: cheap guesses of the next tokens (from a small draft model, or copied from earlier in the
/// conversation) are checked by the target model in one batch, so several tokens can come out of one decode step.
/// </summary>
/// <remarks>
/// The output does not change: a drafted token is kept only where the target's own sampler picks that same token, so
/// greedy output is identical and sampled output follows the same distribution. Set at most one drafting source.
/// </remarks>
public sealed class SpeculativeDecodingOptions
{
    /// <summary>
    /// A second, smaller GGUF that drafts tokens (llama.cpp's <c>--model-draft</c>). Its vocabulary must match the
    /// target's (type, special tokens, same token texts, sizes within 128 tokens) or loading the engine fails with
    /// <see cref="Models.ModelLoadException"/>. <see langword="null"/> (the default) uses no draft model. The OffGrid
    /// server (<c>Server:Pool:Engine:Speculation:DraftModelPath</c>) also takes a model name here and resolves it to its
    /// file at start, as a request's model name is resolved.
    /// </summary>
    public string? DraftModelPath { get; set; }

    /// <summary>
    /// Draft-free prompt lookup: the length of the n-gram at the end of the sequence that is searched for earlier in
    /// the prompt and answer; the tokens that followed its latest earlier occurrence become the draft (llama.cpp's
    /// <c>--spec-ngram-simple-size-n</c>). <see langword="null"/> or 0 (the default) turns it off; 2 to 4 suit most text.
    /// </summary>
    public int? NgramSize { get; set; }

    /// <summary>The most tokens drafted per step (llama.cpp's <c>--draft-max</c>). Defaults to 16.</summary>
    public int MaxDraftTokens { get; set; } = 16;

    /// <summary>Whether any drafting source is set.</summary>
    internal bool IsEnabled => DraftModelPath is not null || NgramSize > 0;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxDraftTokens, 1, nameof(MaxDraftTokens));
        if (NgramSize is { } size)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(size, nameof(NgramSize));
        }

        if (DraftModelPath is not null && NgramSize > 0)
        {
            throw new ArgumentException("Set either a draft model or an n-gram size for speculative decoding, not both.", nameof(DraftModelPath));
        }

        if (DraftModelPath is { Length: 0 })
        {
            throw new ArgumentException("The draft model path is empty.", nameof(DraftModelPath));
        }
    }
}
