namespace OffGrid.Speech.Synthesis;

/// <summary>A voice a text-to-speech engine can speak with.</summary>
/// <param name="Id">The engine-qualified id to pass as <c>TextToSpeechOptions.VoiceId</c>, for example <c>espeak:en-us</c> or <c>piper:en_US-lessac-medium</c>.</param>
/// <param name="Name">A display name.</param>
/// <param name="Engine">The engine: <c>espeak</c> or <c>piper</c>.</param>
/// <param name="Languages">The languages it speaks, BCP 47-like lower case (<c>en-us</c>, <c>de</c>), main language first.</param>
/// <param name="Gender">The voice's gender when the engine says, else <see langword="null"/>.</param>
public sealed record SpeechVoice(string Id, string Name, string Engine, IReadOnlyList<string> Languages, string? Gender = null)
{
    /// <summary>Gets the engine-local part of <see cref="Id"/> (after <c>engine:</c>).</summary>
    public string LocalId => Id[(Id.IndexOf(':', StringComparison.Ordinal) + 1)..];

    /// <summary>Tells whether the voice speaks a language: an exact match, or the same primary language (<c>en</c> matches <c>en-us</c>).</summary>
    /// <param name="language">A language tag such as <c>en</c>, <c>en-US</c> or <c>pt_BR</c>.</param>
    /// <returns><see langword="true"/> when it does.</returns>
    public bool Speaks(string language)
    {
        ArgumentNullException.ThrowIfNull(language);
        string wanted = language.Trim().Replace('_', '-').ToLowerInvariant();
        string primary = wanted.Split('-')[0];
        return Languages.Any(l => l == wanted || (!wanted.Contains('-', StringComparison.Ordinal) && l.Split('-')[0] == primary));
    }
}
