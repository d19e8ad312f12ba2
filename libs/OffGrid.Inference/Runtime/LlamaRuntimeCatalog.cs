using System.Runtime.InteropServices;

namespace OffGrid.Inference.Runtime;

/// <summary>
/// The pinned llama.cpp runtime: npm <c>@node-llama-cpp/*</c> 3.21.1 (llama.cpp release v0.4.0). The P/Invoke
/// struct layouts in <c>Native/</c> match this version's <c>llama.h</c>; change both together.
/// </summary>
public static class LlamaRuntimeCatalog
{
    /// <summary>The pinned package version.</summary>
    public const string PackageVersion = "3.21.1";

    /// <summary>The llama.cpp release those packages were built from.</summary>
    public const string LlamaCppRelease = "v0.4.0";

    /// <summary>Every package of the pinned version with its registry integrity.</summary>
    public static IReadOnlyList<RuntimePackage> Packages { get; } =
    [
        Package("linux-x64", LlamaRuntimeVariant.Cpu, "sha512-Totj6RTDMGo3FoK2yNUaz/oGmZD0olAqTrRluFUWmu0kW2i9TOzHSW0OWCAiGkzRCVX0WsU2CyUQo/W2NYtdPA=="),
        Package("linux-x64-cuda", LlamaRuntimeVariant.Cuda, "sha512-idsE55VoD/FbvLhnBC9krUJaUoC0XnebseAAnCpm/brKf61HEbu+idgbb5eN6mxkjLSrHtILprJ0nDcUJjVrFg=="),
        Package("linux-x64-vulkan", LlamaRuntimeVariant.Vulkan, "sha512-flEeSzONQ6OIm5bYKLQf4eEnBzcC5WugFbyPUwkCqyyOFZ8pH0H9ulQ7ZNDLSIczeKneMRJornlyY1Hq7d3GDA=="),
        Package("linux-arm64", LlamaRuntimeVariant.Cpu, "sha512-eI3anSEGzJiwF2rpMpZVTdHzw47LztbvfvuRzlu/fPO18ROnBOd+75RPUBlV6qENPpmNtbov85+3VODwEwBurg=="),
        Package("linux-armv7l", LlamaRuntimeVariant.Cpu, "sha512-N/IaOXCQogfyDrlANRXbU2u+l0dbZ4BBqc3/Rv1xknHbRi/rX0rrOf5elPG8S9I5p9ebcU48HrRqk2d9O/LNHw=="),
        Package("mac-arm64-metal", LlamaRuntimeVariant.Metal, "sha512-6MIDAZV7DXD9R1+jEXWJkFuolni3GATGE6mmuyFYc6ZmtOh9djAy15df0T0AXK3sCmVKL+fQcOAWZezxx4MvQQ=="),
        Package("mac-x64", LlamaRuntimeVariant.Cpu, "sha512-Q4nyNmbcNiKygBZQZjX+qLk2w3YzoiFpLWsxNURQN7xjyUi2p2rWxjRa7Otg0FrjGf/ri4aQ+X3Uj5Y0zD06eg=="),
        Package("win-x64", LlamaRuntimeVariant.Cpu, "sha512-JcIpCnra7bAd7JNWA8ehdn2DIRaTMuj+fBC8bw+5rKSNzszWFbuj2XA05c5QHovonDMBLN1ePXE/hcfZtzXoUQ=="),
        Package("win-x64-cuda", LlamaRuntimeVariant.Cuda, "sha512-PLz70neFEMkQTlmJqG1ujUtCSgHasLPMxQ9rLkqQVmZYAXqkRj+45TIHCjdn3XqUeaoun0vrO9rRaxZ8NVq9jg=="),
        Package("win-x64-vulkan", LlamaRuntimeVariant.Vulkan, "sha512-HJ237Azh5m4Sz+w3A1IU/fYLaSDOocskcfn2ILTgqTuuORCB86EMnu3Yt/XsNhRHTtEiwz1Q/E0mO4PLIbZLAA=="),
        Package("win-arm64", LlamaRuntimeVariant.Cpu, "sha512-/UDR7Y0B8iKfc/tqxBmWkcgRdZQ9Wrkwod7fYl4J6iZXcTIj286RkHvZSED7VMY67TrcUXVvxJVMNFtmjeYnDg=="),
    ];

    /// <summary>The platform key of this process (<c>linux-x64</c>, <c>mac-arm64</c>, <c>win-x64</c>, …).</summary>
    public static string CurrentPlatform
    {
        get
        {
            string os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "mac" : "linux";
            string arch = RuntimeInformation.ProcessArchitecture switch
            {
                Architecture.X64 => "x64",
                Architecture.Arm64 => "arm64",
                Architecture.Arm => "armv7l",
                var other => other.ToString().ToLowerInvariant(),
            };
            return $"{os}-{arch}";
        }
    }

    /// <summary>Finds the package for a platform and variant, or <see langword="null"/> when none is published.</summary>
    public static RuntimePackage? Find(string platform, LlamaRuntimeVariant variant)
    {
        ArgumentNullException.ThrowIfNull(platform);
        return Packages.FirstOrDefault(p => p.Platform.StartsWith(platform, StringComparison.Ordinal) && p.Variant == variant)
            ?? (variant == LlamaRuntimeVariant.Cpu && platform == "mac-arm64" ? Packages.First(p => p.Platform == "mac-arm64-metal") : null);
    }

    private static RuntimePackage Package(string platform, LlamaRuntimeVariant variant, string integrity) =>
        new($"@node-llama-cpp/{platform}", PackageVersion, integrity, platform, variant);
}
