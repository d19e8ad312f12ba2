namespace OffGrid.Inference.Runtime;

/// <summary>What the machine offers for inference: processor, memory and GPUs.</summary>
public sealed class HardwareInfo
{
    /// <summary>The operating system description.</summary>
    public required string OperatingSystem { get; init; }

    /// <summary>The runtime platform key (<c>linux-x64</c>, …).</summary>
    public required string Platform { get; init; }

    /// <summary>The processor model name, when known.</summary>
    public string? CpuModel { get; init; }

    /// <summary>Logical processors available to the process.</summary>
    public required int LogicalCores { get; init; }

    /// <summary>Physical cores, when known (llama.cpp runs best with one thread per physical core).</summary>
    public int? PhysicalCores { get; init; }

    /// <summary>Instruction-set features that matter to llama.cpp (avx, avx2, avx512f, fma, f16c, neon, …).</summary>
    public required IReadOnlyList<string> CpuFeatures { get; init; }

    /// <summary>Total physical memory in bytes.</summary>
    public required long TotalMemoryBytes { get; init; }

    /// <summary>Memory available for new allocations in bytes.</summary>
    public required long AvailableMemoryBytes { get; init; }

    /// <summary>GPUs reported by the vendor tools (<c>nvidia-smi</c>, <c>rocm-smi</c>).</summary>
    public required IReadOnlyList<GpuInfo> Gpus { get; init; }

    /// <summary>The thread count OffGrid uses by default: the physical cores, else the logical ones.</summary>
    public int DefaultThreadCount => Math.Max(1, PhysicalCores ?? LogicalCores);
}
