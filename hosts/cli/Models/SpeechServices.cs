// MEAI001: the speech abstractions are experimental in Microsoft.Extensions.AI 10.11.0.
#pragma warning disable MEAI001

using Microsoft.Extensions.AI;
using OffGrid.Speech.Synthesis;
using OffGrid.Speech.Synthesis.Piper;

namespace OffGrid.Cli.Models;

/// <summary>Builds the text-to-speech client the CLI speaks with: Piper voices from the store, then espeak-ng, behind one voice list.</summary>
internal static class SpeechServices
{
    /// <summary>Creates the client (cheap: voices load on first use).</summary>
    public static Func<ITextToSpeechClient> TextToSpeech(HubServices hub) =>
        () => new CompositeTextToSpeechClient([new PiperTextToSpeechClient(hub.Store), new EspeakTextToSpeechClient()]);
}
