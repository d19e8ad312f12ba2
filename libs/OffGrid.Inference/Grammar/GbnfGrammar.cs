namespace OffGrid.Inference.Grammar;

/// <summary>
/// A grammar in llama.cpp's GBNF notation, ready for <c>llama_sampler_init_grammar</c>
/// (or its lazy variant): the grammar text and the name of its start rule.
/// </summary>
/// <param name="Text">The GBNF text. Non-ASCII characters appear as-is, so marshal it as UTF-8.</param>
/// <param name="RootRule">The rule generation starts from.</param>
internal sealed record GbnfGrammar(string Text, string RootRule);
