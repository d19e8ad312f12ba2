using OffGrid.Inference.Runtime;

namespace OffGrid.Distribution.Packages;

/// <summary>How <see cref="PackageImporter.ImportAsync"/> treats a package.</summary>
/// <remarks>Plain settings object.</remarks>
public sealed class PackageImportOptions
{
    /// <summary>Gets or sets a value indicating whether an unsigned package is accepted. Default false: unsigned packages are refused.</summary>
    public bool AllowUnsigned { get; set; }

    /// <summary>Gets or sets a value indicating whether the package's llama.cpp runtime for this machine is installed. Default true.</summary>
    public bool InstallRuntime { get; set; } = true;

    /// <summary>Gets or sets where runtimes are installed; <see cref="LlamaRuntime.DefaultInstallDirectory"/> when <see langword="null"/>.</summary>
    public string? RuntimeInstallDirectory { get; set; }
}
