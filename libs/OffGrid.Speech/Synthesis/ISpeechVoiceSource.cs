namespace OffGrid.Speech.Synthesis;

/// <summary>A text-to-speech engine that can list its voices. OffGrid's speech clients return it from <c>GetService</c>.</summary>
public interface ISpeechVoiceSource
{
    /// <summary>Gets the engine name, the prefix of its voice ids (<c>espeak</c>, <c>piper</c>).</summary>
    string Engine { get; }

    /// <summary>Lists the voices available on this machine now.</summary>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>The voices, by id.</returns>
    /// <exception cref="SpeechEngineException">The engine is not installed.</exception>
    Task<IReadOnlyList<SpeechVoice>> GetVoicesAsync(CancellationToken cancellationToken = default);
}
