namespace OffGrid.Inference.Engine;

/// <summary>Text produced by one engine step for one request; the last update carries <see cref="Finish"/>.</summary>
internal readonly record struct GenerationUpdate(string Text, GenerationFinish? Finish, int PromptTokens, int CachedPromptTokens, int OutputTokens);
