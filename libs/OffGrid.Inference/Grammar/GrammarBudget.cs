using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;

namespace OffGrid.Inference.Grammar;

/// <summary>
/// Follows grammar-constrained output token by token, as llama.cpp's grammar sampler sees it, and tells the shortest
/// text that would complete it (<see cref="Closing"/>). The engine uses it to keep output within its token budget:
/// once the remaining tokens only suffice to close the structure, it writes the closing instead of sampling on.
/// </summary>
/// <remarks>
/// A lazy grammar (tool calls in <c>Auto</c> mode) is followed only from where a trigger pattern matches, with
/// llama.cpp's rule: a pattern written <c>^…$</c> must match the whole output so far, any other is searched for, and
/// the grammar starts at the first non-empty capture group (or the match). Immutable: <see cref="Advance"/> returns
/// the next state, so the state before a token stays available. Thread-safe.
/// </remarks>
internal sealed class GrammarBudget
{
    private readonly CompiledGrammar _grammar;
    private readonly Regex[] _triggers;
    private readonly GrammarMatcher? _matcher;
    private readonly string _awaiting;
    private readonly byte[] _partialUtf8;

    private GrammarBudget(CompiledGrammar grammar, Regex[] triggers, GrammarMatcher? matcher, string awaiting, byte[] partialUtf8)
    {
        _grammar = grammar;
        _triggers = triggers;
        _matcher = matcher;
        _awaiting = awaiting;
        _partialUtf8 = partialUtf8;
    }

    /// <summary>
    /// The shortest text that completes the output: empty when it may end now, <see langword="null"/> while a lazy
    /// grammar awaits its trigger or when the output has left the grammar (nothing can be promised then).
    /// </summary>
    public string? Closing => _matcher is { IsDead: false } matcher ? matcher.ShortestCompletion() : null;

    /// <summary>The state before any output.</summary>
    /// <param name="grammar">The grammar the sampler applies.</param>
    /// <param name="triggerPatterns">For a lazy grammar, the patterns that start it; <see langword="null"/> or empty when it applies from the first token.</param>
    public static GrammarBudget Start(CompiledGrammar grammar, IReadOnlyList<string>? triggerPatterns)
    {
        ArgumentNullException.ThrowIfNull(grammar);
        Regex[] triggers = triggerPatterns?.Select(p => new Regex(p, RegexOptions.ECMAScript | RegexOptions.CultureInvariant)).ToArray() ?? [];
        return new GrammarBudget(grammar, triggers, triggers.Length == 0 ? GrammarMatcher.Start(grammar) : null, string.Empty, []);
    }

    /// <summary>The state after one token whose text (special tokens rendered) is <paramref name="piece"/>, UTF-8 that may split a character.</summary>
    public GrammarBudget Advance(ReadOnlySpan<byte> piece)
    {
        (string text, byte[] partial) = Decode(piece);
        if (_matcher is not null)
        {
            return new GrammarBudget(_grammar, _triggers, _matcher.Advance(text), string.Empty, partial);
        }

        string awaiting = _awaiting + text;
        foreach (Regex trigger in _triggers)
        {
            if (TriggerStart(trigger, awaiting) is { } start)
            {
                return new GrammarBudget(_grammar, _triggers, GrammarMatcher.Start(_grammar).Advance(awaiting[start..]), string.Empty, partial);
            }
        }

        return new GrammarBudget(_grammar, _triggers, null, awaiting, partial);
    }

    private static int? TriggerStart(Regex trigger, string text)
    {
        string pattern = trigger.ToString();
        Match match = trigger.Match(text);
        if (!match.Success || (pattern.StartsWith('^') && pattern.EndsWith('$') && match.Length != text.Length))
        {
            return null;
        }

        for (int i = 1; i < match.Groups.Count; i++)
        {
            if (match.Groups[i].Length > 0)
            {
                return match.Groups[i].Index;
            }
        }

        return match.Index;
    }

    // Decodes whole characters; an unfinished one waits for the next token.
    private (string Text, byte[] Partial) Decode(ReadOnlySpan<byte> piece)
    {
        byte[] bytes = [.. _partialUtf8, .. piece];
        var text = new StringBuilder();
        int position = 0;
        while (position < bytes.Length)
        {
            OperationStatus status = Rune.DecodeFromUtf8(bytes.AsSpan(position), out Rune rune, out int consumed);
            if (status == OperationStatus.NeedMoreData)
            {
                break;
            }

            text.Append(rune.ToString());
            position += consumed;
        }

        return (text.ToString(), bytes[position..]);
    }
}
