namespace OffGrid.Speech;

/// <summary>
/// A speech engine is missing or failed on this machine (espeak-ng not installed, a model file that does not load,
/// the sherpa-onnx runtime not installable). Not the caller's fault: hosts map it to a server error.
/// </summary>
public sealed class SpeechEngineException : Exception
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">What failed and how to fix the machine.</param>
    /// <param name="innerException">The underlying error.</param>
    public SpeechEngineException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
