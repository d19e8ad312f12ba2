using Microsoft.Extensions.AI;

namespace OffGrid.Speech.Conversation;

/// <summary>One sentence of a streamed answer, as text and as speech.</summary>
/// <param name="Index">The 0-based position of the sentence in the answer.</param>
/// <param name="Text">The sentence.</param>
/// <param name="Audio">Its speech, a complete file in the requested format.</param>
/// <param name="Elapsed">Time from the start of the call (the end of the question) until this audio was ready.</param>
public sealed record SpokenSentence(int Index, string Text, DataContent Audio, TimeSpan Elapsed);
