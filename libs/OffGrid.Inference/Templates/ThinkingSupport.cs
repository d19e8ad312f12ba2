namespace OffGrid.Inference.Templates;

/// <summary>
/// Decides whether a chat template supports thinking, as llama.cpp's template analysis does for a lone user message with
/// a generation prompt: switching <c>enable_thinking</c> must change what follows the user's message, where the answer
/// starts (a <c>&lt;think&gt;</c> opener, an empty <c>&lt;think&gt;&lt;/think&gt;</c> block, a <c>/nothink</c> switch).
/// A template that only rewords its system prompt (Apertus' "Deliberation: enabled") does not count.
/// </summary>
internal static class ThinkingSupport
{
    /// <summary>The user message the probe renders.</summary>
    public const string ProbeMessage = "test";

    /// <summary>Compares the prompt rendered without thinking (<paramref name="off"/>) and with it (<paramref name="on"/>).</summary>
    public static bool Detect(string off, string on) => AfterUserMessage(off) != AfterUserMessage(on);

    private static string AfterUserMessage(string prompt)
    {
        int at = prompt.LastIndexOf(ProbeMessage, StringComparison.Ordinal);
        return (at < 0 ? prompt : prompt[(at + ProbeMessage.Length)..]).Trim();
    }
}
