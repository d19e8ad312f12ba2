namespace OffGrid.Inference.Runtime;

/// <summary>Where the llama.cpp native runtime comes from.</summary>
public sealed class LlamaRuntimeOptions
{
    /// <summary>
    /// A directory that already holds the native libraries. When set, nothing is searched or installed.
    /// The <c>OFFGRID_LLAMA_PATH</c> environment variable has the same effect.
    /// </summary>
    public string? LibraryDirectory { get; set; }

    /// <summary>Where installed runtimes live; defaults to <c>~/.offgrid/runtime</c> (or <c>$OFFGRID_HOME/runtime</c>).</summary>
    public string? InstallDirectory { get; set; }

    /// <summary>
    /// The npm registry to download runtime packages from. When unset, the machine's npm configuration is used
    /// (<c>NPM_CONFIG_REGISTRY</c>, <c>.npmrc</c>, then <c>npm config get registry</c>).
    /// </summary>
    public Uri? RegistryUri { get; set; }

    /// <summary>A local runtime package (<c>.tgz</c>) or an extracted package directory to install from, for air-gapped machines.</summary>
    public string? PackageSource { get; set; }

    /// <summary>The build to use; <see cref="LlamaRuntimeVariant.Auto"/> chooses from the hardware.</summary>
    public LlamaRuntimeVariant Variant { get; set; } = LlamaRuntimeVariant.Auto;

    /// <summary>Whether a missing runtime may be downloaded. Defaults to <see langword="true"/>.</summary>
    public bool AllowDownload { get; set; } = true;
}
