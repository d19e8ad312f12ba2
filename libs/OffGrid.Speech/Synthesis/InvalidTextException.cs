namespace OffGrid.Speech.Synthesis;

/// <summary>The text to speak is empty, or longer than the limit of one request (code <c>invalid_text</c>).</summary>
public sealed class InvalidTextException : SpeechRequestException
{
    /// <summary>Initializes a new instance for empty text.</summary>
    public InvalidTextException()
        : base("invalid_text", "There is no text to speak.", "input")
    {
    }

    /// <summary>Initializes a new instance for text over the limit.</summary>
    /// <param name="length">The length of the text, in characters.</param>
    public InvalidTextException(int length)
        : base("invalid_text", $"The text is {length} characters long; one request speaks at most 4096. Split it.", "input")
    {
    }
}
