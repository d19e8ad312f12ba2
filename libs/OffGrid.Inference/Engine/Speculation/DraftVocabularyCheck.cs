using OffGrid.Inference.Models;
using OffGrid.Inference.Native;

namespace OffGrid.Inference.Engine.Speculation;

/// <summary>
/// Decides whether a draft model's tokens mean the same as the target's, the rules llama.cpp applies before it
/// speculates (<c>common/speculative.cpp</c>): same vocabulary type, same BOS/EOS use and ids, sizes within 128 tokens,
/// and the same text for every token from id 5 on.
/// </summary>
internal static class DraftVocabularyCheck
{
    private const int MaxSizeDifference = 128;
    private const int FirstComparedToken = 5;

    /// <summary>Throws when <paramref name="draft"/> cannot draft for <paramref name="target"/>.</summary>
    /// <exception cref="ModelLoadException">The vocabularies differ; the message names both models and the difference.</exception>
    public static void EnsureCompatible(LlamaModel target, LlamaModel draft)
    {
        if (FindDifference(target, draft) is { } difference)
        {
            throw new ModelLoadException(
                $"The draft model '{draft.Path}' cannot draft for '{target.Path}': {difference}. Choose a draft model from the same family (same tokenizer).");
        }
    }

    private static unsafe string? FindDifference(LlamaModel target, LlamaModel draft)
    {
        IntPtr t = target.Vocabulary;
        IntPtr d = draft.Vocabulary;
        if (LlamaNative.llama_vocab_type(t) != LlamaNative.llama_vocab_type(d))
        {
            return $"the vocabulary types differ ({LlamaNative.llama_vocab_type(t)} and {LlamaNative.llama_vocab_type(d)})";
        }

        if (target.AddsBosToken != draft.AddsBosToken || (target.AddsBosToken && target.BosToken != draft.BosToken))
        {
            return $"the BOS tokens differ ({Describe(target.AddsBosToken, target.BosToken)} and {Describe(draft.AddsBosToken, draft.BosToken)})";
        }

        bool targetEos = LlamaNative.llama_vocab_get_add_eos(t);
        bool draftEos = LlamaNative.llama_vocab_get_add_eos(d);
        if (targetEos != draftEos || (targetEos && target.EosToken != draft.EosToken))
        {
            return $"the EOS tokens differ ({Describe(targetEos, target.EosToken)} and {Describe(draftEos, draft.EosToken)})";
        }

        if (Math.Abs(target.VocabularySize - draft.VocabularySize) > MaxSizeDifference)
        {
            return $"the vocabularies hold {target.VocabularySize} and {draft.VocabularySize} tokens (at most {MaxSizeDifference} apart)";
        }

        for (int token = FirstComparedToken; token < Math.Min(target.VocabularySize, draft.VocabularySize); token++)
        {
            string? targetText = LlamaNative.ReadUtf8(LlamaNative.llama_vocab_get_text(t, token));
            string? draftText = LlamaNative.ReadUtf8(LlamaNative.llama_vocab_get_text(d, token));
            if (!string.Equals(targetText, draftText, StringComparison.Ordinal))
            {
                return $"token {token} is '{targetText}' in one and '{draftText}' in the other";
            }
        }

        return null;
    }

    private static string Describe(bool added, int token) => added ? $"adds {token}" : "adds none";
}
