namespace OffGrid.Inference.Chat;

/// <summary>A rendered prompt; <paramref name="StartsWithBos"/> tells the tokenizer not to add a second BOS token.</summary>
internal sealed record FormattedPrompt(string Text, bool StartsWithBos);
