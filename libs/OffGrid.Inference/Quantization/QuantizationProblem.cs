namespace OffGrid.Inference.Quantization;

/// <summary>Why a quantization was refused or failed (see <see cref="QuantizationException"/>).</summary>
public enum QuantizationProblem
{
    /// <summary>The runtime has no type by the requested name.</summary>
    UnknownType,

    /// <summary>The source is already at the requested precision or below it: quantizing would not make it smaller.</summary>
    NotSmaller,

    /// <summary>The source is not a GGUF model file.</summary>
    NotGguf,

    /// <summary>The output (a store name or a file) already exists.</summary>
    OutputExists,

    /// <summary>The type needs an importance matrix (imatrix) for some tensors, which OffGrid does not produce.</summary>
    NeedsImportanceMatrix,

    /// <summary>The output name is not a valid store name (<see cref="OffGrid.Hub.Store.ModelNames"/>): a path, a control character, too long.</summary>
    InvalidOutputName,

    /// <summary>llama.cpp failed while quantizing (disk full, unreadable tensors…).</summary>
    Failed,
}
