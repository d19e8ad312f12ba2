// MEAI001: the speech abstractions are experimental in Microsoft.Extensions.AI 10.11.0.
#pragma warning disable MEAI001

using Microsoft.Extensions.AI;
using OffGrid.Speech.Synthesis;

namespace OffGrid.Cli.Models;

/// <summary>Builds the text-to-speech client the CLI speaks with: every installed engine behind one voice list.</summary>
internal static class SpeechServices
{
    /// <summary>Creates the client (cheap: engines start their programs per request).</summary>
    public static ITextToSpeechClient CreateTextToSpeech() => new CompositeTextToSpeechClient([new EspeakTextToSpeechClient()]);
}
