namespace OffGrid.Inference.Runtime;

/// <summary>The llama.cpp runtime could not be found, installed or loaded.</summary>
public sealed class LlamaRuntimeException : Exception
{
    /// <summary>Creates the exception with a message that says what to do.</summary>
    public LlamaRuntimeException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the underlying failure.</summary>
    public LlamaRuntimeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
