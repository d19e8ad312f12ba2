namespace OffGrid.Inference.Bench;

/// <summary>What the results table needs to say about the machine.</summary>
internal static class MachineInfo
{
    /// <summary>The CPU model from <c>/proc/cpuinfo</c>, or the architecture where that file does not exist.</summary>
    public static string CpuModel =>
        File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown"
            : System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString();
}
