namespace OffGrid.Inference.Runtime;

/// <summary>A GPU found on the machine.</summary>
/// <param name="Vendor">"NVIDIA", "AMD" or "Apple".</param>
/// <param name="Name">The product name the vendor tool reports.</param>
/// <param name="MemoryBytes">Dedicated memory in bytes, when known.</param>
public sealed record GpuInfo(string Vendor, string Name, long? MemoryBytes);
