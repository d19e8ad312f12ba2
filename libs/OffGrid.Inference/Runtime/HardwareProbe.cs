using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace OffGrid.Inference.Runtime;

/// <summary>Detects processor features, memory and GPUs without loading any native library.</summary>
public static class HardwareProbe
{
    private static readonly string[] s_interestingCpuFlags =
        ["sse4_2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512vnni", "avx512_bf16", "amx_tile", "neon", "asimd", "sve"];

    /// <summary>Probes the machine. Vendor tools that are missing or fail simply contribute no GPU.</summary>
    public static HardwareInfo Probe()
    {
        (string? model, int? physical, List<string> features) = ReadCpuInfo();
        (long total, long available) = ReadMemory();
        var gpus = new List<GpuInfo>();
        gpus.AddRange(QueryNvidia());
        gpus.AddRange(QueryAmd());
        if (OperatingSystem.IsMacOS() && RuntimeInformation.ProcessArchitecture == Architecture.Arm64)
        {
            gpus.Add(new GpuInfo("Apple", "Apple silicon GPU", null));
        }

        return new HardwareInfo
        {
            OperatingSystem = RuntimeInformation.OSDescription,
            Platform = LlamaRuntimeCatalog.CurrentPlatform,
            CpuModel = model,
            LogicalCores = Environment.ProcessorCount,
            PhysicalCores = physical is > 0 ? Math.Min(physical.Value, Environment.ProcessorCount) : null,
            CpuFeatures = features,
            TotalMemoryBytes = total,
            AvailableMemoryBytes = available,
            Gpus = gpus,
        };
    }

    /// <summary>The runtime variant <see cref="LlamaRuntimeVariant.Auto"/> resolves to on this hardware.</summary>
    public static LlamaRuntimeVariant ChooseVariant(HardwareInfo hardware)
    {
        ArgumentNullException.ThrowIfNull(hardware);
        if (hardware.Gpus.Any(g => g.Vendor == "Apple"))
        {
            return LlamaRuntimeVariant.Metal;
        }

        if (hardware.Gpus.Any(g => g.Vendor == "NVIDIA"))
        {
            return LlamaRuntimeVariant.Cuda;
        }

        return hardware.Gpus.Any(g => g.Vendor == "AMD") ? LlamaRuntimeVariant.Vulkan : LlamaRuntimeVariant.Cpu;
    }

    private static (string? Model, int? PhysicalCores, List<string> Features) ReadCpuInfo()
    {
        var features = new List<string>();
        if (!File.Exists("/proc/cpuinfo"))
        {
            if (RuntimeInformation.ProcessArchitecture == Architecture.Arm64)
            {
                features.Add("neon");
            }

            return (null, null, features);
        }

        string? model = null;
        var cores = new HashSet<(string, string)>();
        string physicalId = "0";
        var flags = new HashSet<string>(StringComparer.Ordinal);
        foreach (string line in File.ReadLines("/proc/cpuinfo"))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                continue;
            }

            string key = line[..colon].Trim();
            string value = line[(colon + 1)..].Trim();
            switch (key)
            {
                case "model name" when model is null:
                    model = value;
                    break;
                case "physical id":
                    physicalId = value;
                    break;
                case "core id":
                    cores.Add((physicalId, value));
                    break;
                case "flags" or "Features":
                    flags.UnionWith(value.Split(' ', StringSplitOptions.RemoveEmptyEntries));
                    break;
            }
        }

        features.AddRange(s_interestingCpuFlags.Where(flags.Contains));
        return (model, cores.Count > 0 ? cores.Count : null, features);
    }

    private static (long Total, long Available) ReadMemory()
    {
        if (File.Exists("/proc/meminfo"))
        {
            long total = 0, available = 0;
            foreach (string line in File.ReadLines("/proc/meminfo"))
            {
                if (line.StartsWith("MemTotal:", StringComparison.Ordinal))
                {
                    total = ParseKilobytes(line);
                }
                else if (line.StartsWith("MemAvailable:", StringComparison.Ordinal))
                {
                    available = ParseKilobytes(line);
                }
            }

            if (total > 0)
            {
                return (total, available > 0 ? available : total);
            }
        }

        GCMemoryInfo info = GC.GetGCMemoryInfo();
        return (info.TotalAvailableMemoryBytes, Math.Max(0, info.TotalAvailableMemoryBytes - info.MemoryLoadBytes));
    }

    private static long ParseKilobytes(string line)
    {
        string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length >= 2 && long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out long kb) ? kb * 1024 : 0;
    }

    private static IEnumerable<GpuInfo> QueryNvidia()
    {
        string? output = RunTool("nvidia-smi", "--query-gpu=name,memory.total --format=csv,noheader,nounits");
        if (output is null)
        {
            yield break;
        }

        foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] parts = line.Split(',', StringSplitOptions.TrimEntries);
            long? memory = parts.Length > 1 && long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out long mib) ? mib * 1024 * 1024 : null;
            yield return new GpuInfo("NVIDIA", parts[0], memory);
        }
    }

    private static IEnumerable<GpuInfo> QueryAmd()
    {
        string? output = RunTool("rocm-smi", "--showproductname --csv");
        if (output is null)
        {
            yield break;
        }

        foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Skip(1))
        {
            string[] parts = line.Split(',', StringSplitOptions.TrimEntries);
            if (parts.Length > 1 && parts[0].StartsWith("card", StringComparison.OrdinalIgnoreCase))
            {
                yield return new GpuInfo("AMD", parts[^1], null);
            }
        }
    }

    private static string? RunTool(string fileName, string arguments)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(fileName, arguments)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (process is null)
            {
                return null;
            }

            string output = process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(5000))
            {
                process.Kill(entireProcessTree: true);
                return null;
            }

            return process.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
