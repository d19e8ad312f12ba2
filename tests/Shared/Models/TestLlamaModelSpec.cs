using OffGrid.Testing.Gguf;

namespace OffGrid.Testing.Models;

/// <summary>The shape of a generated llama-architecture test model (random weights from a fixed seed).</summary>
internal sealed record TestLlamaModelSpec
{
    public int EmbeddingLength { get; init; } = 64;

    public int BlockCount { get; init; } = 2;

    public int HeadCount { get; init; } = 4;

    public int HeadCountKv { get; init; } = 2;

    public int FeedForwardLength { get; init; } = 128;

    public int ContextLength { get; init; } = 2048;

    public int VocabularySize { get; init; } = 512;

    public int Seed { get; init; } = 42;

    public GgufTensorType WeightType { get; init; } = GgufTensorType.F32;

    public string Architecture { get; init; } = "llama";

    /// <summary>A Jinja chat template stored as <c>tokenizer.chat_template</c>.</summary>
    public string? ChatTemplate { get; init; }

    /// <summary>Extra control tokens (for example <c>&lt;|im_start|&gt;</c>); the last one listed in <see cref="EndOfTurnToken"/> ends generation.</summary>
    public IReadOnlyList<string> SpecialTokens { get; init; } = [];

    /// <summary>Special tokens that render as text (llama.cpp "user defined"), like <c>&lt;tool_call&gt;</c> in Qwen.</summary>
    public IReadOnlyList<string> UserDefinedTokens { get; init; } = [];

    /// <summary>The special token that ends a turn (becomes the EOS token); <see langword="null"/> keeps <c>&lt;/s&gt;</c>.</summary>
    public string? EndOfTurnToken { get; init; }

    /// <summary>
    /// Byte-fallback tokens for all 256 bytes instead of ASCII only, so that any UTF-8 text can be generated. Unconstrained
    /// output may then hold invalid UTF-8: use it under a grammar.
    /// </summary>
    public bool AllByteTokens { get; init; }

    /// <summary>
    /// When set, a model whose greedy answer is known in advance, for speculative decoding tests and benches: every
    /// layer's attention output and FFN down projections are zero, so the layers add nothing to the residual stream
    /// (they still cost their full compute) and the final hidden state is the current token's normalized embedding;
    /// the output matrix holds the embeddings in permuted rows, so the greedy next token is a fixed function of the
    /// current one. That function walks cycles of this many normal tokens (a shuffle seeded by <see cref="Seed"/>, see
    /// <see cref="TestLlamaModels.RepeatCycles"/>); control and byte tokens follow themselves. A prompt that walks a
    /// cycle is continued exactly, so prompt lookup drafts it, and a model of another shape with the same vocabulary
    /// size and seed drafts it too. Random embeddings are nearly orthogonal, so the greedy pick is clear even in Q4_0
    /// from <see cref="EmbeddingLength"/> 128 on. <see langword="null"/> (the default) writes random weights everywhere.
    /// </summary>
    public int? RepeatCycleLength { get; init; }

    /// <summary>A stable key for caching the generated file.</summary>
    public string CacheKey => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(
        string.Join("|", "v2", EmbeddingLength, BlockCount, HeadCount, HeadCountKv, FeedForwardLength, ContextLength, VocabularySize, Seed, WeightType, Architecture,
            ChatTemplate ?? "-", string.Join(",", SpecialTokens), string.Join(",", UserDefinedTokens), EndOfTurnToken ?? "-", AllByteTokens ? "bytes256" : "-")
        + (RepeatCycleLength is { } cycle ? $"|repeat{cycle}" : ""))))[..16];
}
