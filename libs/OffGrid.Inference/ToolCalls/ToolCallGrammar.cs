using OffGrid.Inference.Grammar;

namespace OffGrid.Inference.ToolCalls;

/// <summary>
/// A grammar that makes the model write tool calls in its family's format, and, for a lazy grammar, what
/// switches it on.
/// </summary>
/// <param name="Grammar">The grammar; its root matches one or more complete calls including their markers.</param>
/// <param name="IsLazy">
/// True in <c>Auto</c> mode: the model writes freely until a trigger appears, and the grammar applies from
/// there on (<c>llama_sampler_init_grammar_lazy_patterns</c>).
/// </param>
/// <param name="TriggerPatterns">
/// Regular expressions (ECMAScript, as llama.cpp's <c>std::regex</c> reads them) over the generated text; the grammar
/// starts at the first capture group of a match (or at the match). A pattern written <c>^…$</c> must match the whole text so far.
/// </param>
/// <param name="TriggerWords">
/// The literal words behind the patterns; where a word is a single token of the vocabulary (e.g. <c>&lt;tool_call&gt;</c>),
/// that token can be passed as a trigger token as well.
/// </param>
internal sealed record ToolCallGrammar(GbnfGrammar Grammar, bool IsLazy, IReadOnlyList<string> TriggerPatterns, IReadOnlyList<string> TriggerWords);
