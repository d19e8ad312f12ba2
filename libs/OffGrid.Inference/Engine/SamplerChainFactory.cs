using OffGrid.Inference.Models;
using OffGrid.Inference.Native;

namespace OffGrid.Inference.Engine;

/// <summary>Builds the llama.cpp sampler chain for one request.</summary>
internal static class SamplerChainFactory
{
    /// <summary>
    /// Whether the chain would hold llama.cpp's greedy sampler alone, so <see cref="GreedySampler"/> chooses the same
    /// token without one (see there why that is faster).
    /// </summary>
    public static bool IsGreedyOnly(SamplingParameters parameters) =>
        parameters.IsGreedy && parameters.Grammar is null && !HasPenalties(parameters);

    public static unsafe SafeLlamaSamplerHandle Create(LlamaModel model, SamplingParameters parameters)
    {
        SafeLlamaSamplerHandle chain = LlamaNative.llama_sampler_chain_init(LlamaNative.llama_sampler_chain_default_params());
        try
        {
            // The grammar goes first so that every later sampler only ever sees tokens the grammar allows.
            if (parameters.Grammar is { } grammar)
            {
                LlamaNative.llama_sampler_chain_add(chain, CreateGrammar(model, grammar, parameters.GrammarTriggerPatterns));
            }

            if (HasPenalties(parameters))
            {
                LlamaNative.llama_sampler_chain_add(chain, LlamaNative.llama_sampler_init_penalties(parameters.RepeatLastN, parameters.RepeatPenalty, parameters.FrequencyPenalty, parameters.PresencePenalty));
            }

            if (parameters.IsGreedy)
            {
                LlamaNative.llama_sampler_chain_add(chain, LlamaNative.llama_sampler_init_greedy());
                return chain;
            }

            if (parameters.TopK > 0)
            {
                LlamaNative.llama_sampler_chain_add(chain, LlamaNative.llama_sampler_init_top_k(parameters.TopK));
            }

            if (parameters.TopP is > 0 and < 1)
            {
                LlamaNative.llama_sampler_chain_add(chain, LlamaNative.llama_sampler_init_top_p(parameters.TopP, 1));
            }

            if (parameters.MinP is > 0 and < 1)
            {
                LlamaNative.llama_sampler_chain_add(chain, LlamaNative.llama_sampler_init_min_p(parameters.MinP, 1));
            }

            LlamaNative.llama_sampler_chain_add(chain, LlamaNative.llama_sampler_init_temp(parameters.Temperature));
            LlamaNative.llama_sampler_chain_add(chain, LlamaNative.llama_sampler_init_dist(parameters.Seed));
            return chain;
        }
        catch
        {
            chain.Dispose();
            throw;
        }
    }

    private static bool HasPenalties(SamplingParameters parameters) =>
        parameters.RepeatPenalty != 1.0f || parameters.FrequencyPenalty != 0 || parameters.PresencePenalty != 0;

    private static unsafe IntPtr CreateGrammar(LlamaModel model, string grammar, IReadOnlyList<string>? triggerPatterns)
    {
        LlamaLogBridge.ClearLastError();
        IntPtr sampler;
        if (triggerPatterns is { Count: > 0 })
        {
            using var strings = new PinnedUtf8Strings();
            byte*[] pointers = new byte*[triggerPatterns.Count];
            for (int i = 0; i < pointers.Length; i++)
            {
                pointers[i] = strings.Add(triggerPatterns[i]);
            }

            fixed (byte** patterns = pointers)
            {
                sampler = LlamaNative.llama_sampler_init_grammar_lazy_patterns(model.Vocabulary, grammar, "root", patterns, (nuint)pointers.Length, null, 0);
            }
        }
        else
        {
            sampler = LlamaNative.llama_sampler_init_grammar(model.Vocabulary, grammar, "root");
        }

        return sampler != IntPtr.Zero
            ? sampler
            // A grammar is built from the request (schema, tools) or given as is, so a bad one is the request's fault.
            : throw new InvalidRequestException($"The grammar could not be parsed by llama.cpp: {LlamaLogBridge.LastError ?? "syntax error"}.");
    }
}
