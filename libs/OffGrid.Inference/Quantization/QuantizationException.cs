namespace OffGrid.Inference.Quantization;

/// <summary>
/// A quantization was refused (unknown type, not smaller, not GGUF, output exists, needs an importance matrix) or
/// llama.cpp failed while writing it. Hosts answer <see cref="QuantizationProblem.Failed"/> with HTTP 500,
/// <see cref="QuantizationProblem.OutputExists"/> with 409 and the rest with 400.
/// </summary>
public sealed class QuantizationException : Exception
{
    /// <summary>Initializes a new instance.</summary>
    public QuantizationException()
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">What is wrong and what is allowed.</param>
    public QuantizationException(string? message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and its cause.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The cause.</param>
    public QuantizationException(string? message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance with the problem and a message.</summary>
    /// <param name="problem">Why the quantization was refused or failed.</param>
    /// <param name="message">What is wrong and what is allowed.</param>
    public QuantizationException(QuantizationProblem problem, string message)
        : base(message)
    {
        Problem = problem;
    }

    /// <summary>Gets why the quantization was refused or failed.</summary>
    public QuantizationProblem Problem { get; } = QuantizationProblem.Failed;
}
