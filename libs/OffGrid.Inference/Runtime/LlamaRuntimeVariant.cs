namespace OffGrid.Inference.Runtime;

/// <summary>Which build of the llama.cpp runtime to use.</summary>
public enum LlamaRuntimeVariant
{
    /// <summary>Pick from the hardware: CUDA with an NVIDIA GPU, Metal on Apple silicon, Vulkan with an AMD GPU, else CPU.</summary>
    Auto = 0,

    /// <summary>CPU only (the best instruction-set build for the processor is loaded at run time).</summary>
    Cpu = 1,

    /// <summary>NVIDIA CUDA.</summary>
    Cuda = 2,

    /// <summary>Vulkan (AMD, Intel and NVIDIA GPUs).</summary>
    Vulkan = 3,

    /// <summary>Apple Metal.</summary>
    Metal = 4,
}
