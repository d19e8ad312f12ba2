namespace OffGrid.Inference.Engine;

/// <summary>Why a sequence stopped producing tokens.</summary>
internal enum GenerationFinish
{
    /// <summary>The model produced an end-of-generation token or a stop sequence matched.</summary>
    Stop,

    /// <summary>The output-token limit or the context window was reached.</summary>
    Length,

    /// <summary>The caller cancelled.</summary>
    Cancelled,
}
