namespace OffGrid.Speech.Synthesis;

/// <summary>A synthesis setting is out of range (code <c>invalid_setting</c>), for example a speed outside 0.25–4.</summary>
public sealed class SpeechSettingException : SpeechRequestException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="parameter">The setting, for example <c>speed</c>.</param>
    /// <param name="message">What is wrong and the accepted range.</param>
    public SpeechSettingException(string parameter, string message)
        : base("invalid_setting", message, parameter)
    {
    }
}
