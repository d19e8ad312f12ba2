namespace OffGrid.Inference.Models;

/// <summary>A model file could not be loaded: it is not a usable GGUF, or llama.cpp rejected it.</summary>
public sealed class ModelLoadException : Exception
{
    /// <summary>Creates the exception with a message that names the file and the reason.</summary>
    public ModelLoadException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the underlying failure.</summary>
    public ModelLoadException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
