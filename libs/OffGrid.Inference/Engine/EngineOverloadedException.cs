namespace OffGrid.Inference.Engine;

/// <summary>The engine's queue of waiting requests is full; retry later.</summary>
public sealed class EngineOverloadedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public EngineOverloadedException(string message, TimeSpan retryAfter)
        : base(message)
    {
        RetryAfter = retryAfter;
    }

    /// <summary>A suggested wait before retrying.</summary>
    public TimeSpan RetryAfter { get; }
}
