namespace OffGrid.Inference;

/// <summary>
/// A sampling setting out of the range llama.cpp's samplers take (a temperature above 2, a top-p above 1, an empty stop
/// sequence…). <see cref="ArgumentException.ParamName"/> is the <c>ChatOptions</c> property or
/// <c>AdditionalProperties</c> key, and <see cref="Requirement"/> the range in words, so that a host can name the setting
/// as its own API spells it (OpenAI's <c>top_p</c>, Ollama's <c>options.top_p</c>).
/// </summary>
public sealed class SamplingRangeException : InvalidRequestException
{
    /// <summary>Initializes a new instance with a default message.</summary>
    public SamplingRangeException()
        : this("A sampling setting", "in range", null)
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">What is wrong and what is allowed.</param>
    public SamplingRangeException(string message)
        : base(message)
    {
        Requirement = message;
    }

    /// <summary>Initializes a new instance with a message and the cause.</summary>
    /// <param name="message">What is wrong and what is allowed.</param>
    /// <param name="innerException">The cause.</param>
    public SamplingRangeException(string message, Exception innerException)
        : base(message, innerException)
    {
        Requirement = message;
    }

    /// <summary>Initializes a new instance for one setting.</summary>
    /// <param name="setting">The <c>ChatOptions</c> property or <c>AdditionalProperties</c> key, for example <c>TopP</c> or <c>min_p</c>.</param>
    /// <param name="requirement">What the value must be, completing "must be …", for example <c>a number from 0 to 1</c>.</param>
    /// <param name="value">The value that was given, shown in the message.</param>
    public SamplingRangeException(string setting, string requirement, object? value)
        : base($"{setting} must be {requirement}{(value is null ? "" : FormattableString.Invariant($"; it is {value}"))}.", setting)
    {
        Requirement = requirement;
    }

    /// <summary>Gets what the value must be, completing "must be …": for example <c>a number from 0 to 2</c>.</summary>
    public string Requirement { get; }
}
