using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OffGrid.Hub.Downloads;
using OffGrid.Inference.Native;

namespace OffGrid.Inference.Runtime;

/// <summary>
/// The llama.cpp native runtime of this process: located (or installed on first use) and loaded once.
/// </summary>
/// <remarks>
/// Search order: <see cref="LlamaRuntimeOptions.LibraryDirectory"/>, the <c>OFFGRID_LLAMA_PATH</c> environment
/// variable, the application folder, then the install directory (<c>~/.offgrid/runtime/&lt;package&gt;@&lt;version&gt;</c>).
/// When none holds a runtime, the pinned package for this machine is installed from
/// <see cref="LlamaRuntimeOptions.PackageSource"/> or downloaded from the npm registry. A process can load one
/// runtime only; <see cref="LoadAsync"/> is thread-safe and returns the same instance to every caller.
/// </remarks>
public sealed class LlamaRuntime
{
    private static readonly SemaphoreSlim s_loadGate = new(1, 1);
    private static LlamaRuntime? s_current;

    private LlamaRuntime(string libraryDirectory, RuntimePackage? package, string? installedFrom, HardwareInfo hardware, IReadOnlyList<string> devices, string systemInfo)
    {
        LibraryDirectory = libraryDirectory;
        InstalledFrom = installedFrom;
        Package = package;
        Hardware = hardware;
        Devices = devices;
        SystemInfo = systemInfo;
    }

    /// <summary>The runtime loaded in this process, or <see langword="null"/> before <see cref="LoadAsync"/>.</summary>
    public static LlamaRuntime? Current => s_current;

    /// <summary>The directory the native libraries were loaded from.</summary>
    public string LibraryDirectory { get; }

    /// <summary>The catalog package the libraries came from, when they came from one.</summary>
    public RuntimePackage? Package { get; }

    /// <summary>
    /// Where this process installed the runtime from: the package address it downloaded, or the package file or folder it
    /// copied; <see langword="null"/> when the runtime was already installed or was found by path.
    /// </summary>
    public string? InstalledFrom { get; }

    /// <summary>The machine the runtime was chosen for.</summary>
    public HardwareInfo Hardware { get; }

    /// <summary>The compute devices llama.cpp found (for example <c>CPU: AMD EPYC …</c> or a GPU).</summary>
    public IReadOnlyList<string> Devices { get; }

    /// <summary>llama.cpp's own description of the instruction sets it uses.</summary>
    public string SystemInfo { get; }

    /// <summary>Whether a GPU backend was loaded.</summary>
    public bool HasGpu => Devices.Any(d => !d.StartsWith("CPU", StringComparison.OrdinalIgnoreCase));

    /// <summary>Locates, installs when needed, and loads the runtime; returns the process-wide instance.</summary>
    /// <param name="options">Where the runtime comes from; <see langword="null"/> for the defaults.</param>
    /// <param name="httpClient">The client used for a download; <see langword="null"/> creates one.</param>
    /// <param name="progress">Receives download progress when the runtime is installed.</param>
    /// <param name="logger">Receives OffGrid's and llama.cpp's log output.</param>
    /// <param name="cancellationToken">Cancels a download; loading itself is not interruptible.</param>
    /// <exception cref="LlamaRuntimeException">No runtime could be found or installed, or it failed to load.</exception>
    /// <exception cref="OffGrid.Hub.HostUnreachableException">The runtime had to be downloaded and the package registry could not be reached.</exception>
    public static async Task<LlamaRuntime> LoadAsync(
        LlamaRuntimeOptions? options = null,
        HttpClient? httpClient = null,
        IProgress<DownloadProgress>? progress = null,
        ILogger? logger = null,
        CancellationToken cancellationToken = default)
    {
        if (s_current is { } current)
        {
            return current;
        }

        options ??= new LlamaRuntimeOptions();
        logger ??= NullLogger.Instance;
        await s_loadGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (s_current is not null)
            {
                return s_current;
            }

            HardwareInfo hardware = HardwareProbe.Probe();
            (string directory, RuntimePackage? package, string? installedFrom) = await LocateOrInstallAsync(options, hardware, httpClient, progress, logger, cancellationToken).ConfigureAwait(false);
            s_current = Load(directory, package, installedFrom, hardware, logger);
            return s_current;
        }
        finally
        {
            s_loadGate.Release();
        }
    }

    /// <summary>The package this machine gets for a variant (<see cref="LlamaRuntimeVariant.Auto"/> resolved from the hardware).</summary>
    /// <exception cref="LlamaRuntimeException">No package is published for this platform and variant.</exception>
    public static RuntimePackage SelectPackage(LlamaRuntimeVariant variant, HardwareInfo hardware)
    {
        ArgumentNullException.ThrowIfNull(hardware);
        LlamaRuntimeVariant resolved = variant == LlamaRuntimeVariant.Auto ? HardwareProbe.ChooseVariant(hardware) : variant;
        return LlamaRuntimeCatalog.Find(hardware.Platform, resolved)
            ?? throw new LlamaRuntimeException(
                $"No llama.cpp runtime package is published for {hardware.Platform} with {resolved}. " +
                $"Set the runtime variant to Cpu, or point OFFGRID_LLAMA_PATH at a llama.cpp build.");
    }

    /// <summary>
    /// Installs <paramref name="package"/> into the install directory without loading it, from
    /// <see cref="LlamaRuntimeOptions.PackageSource"/> when set, else from the registry; an installed package is
    /// left as it is. Used to install the runtime an offline package carries for this machine.
    /// </summary>
    /// <param name="package">A package of <see cref="LlamaRuntimeCatalog.Packages"/>.</param>
    /// <param name="options">Where it comes from and where it goes; <see langword="null"/> for the defaults.</param>
    /// <param name="httpClient">The client used for a download; <see langword="null"/> creates one.</param>
    /// <param name="progress">Receives download progress.</param>
    /// <param name="logger">Receives diagnostics.</param>
    /// <param name="cancellationToken">Cancels a download.</param>
    /// <returns>The folder holding the package's native libraries.</returns>
    /// <exception cref="LlamaRuntimeException">The package is missing, fails its pinned integrity, or holds no llama.cpp libraries.</exception>
    public static Task<string> InstallPackageAsync(
        RuntimePackage package,
        LlamaRuntimeOptions? options = null,
        HttpClient? httpClient = null,
        IProgress<DownloadProgress>? progress = null,
        ILogger? logger = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(package);
        (RuntimeInstaller installer, LlamaRuntimeOptions settings) = CreateInstaller(options, httpClient, logger);
        return installer.EnsureInstalledAsync(package, settings, progress, cancellationToken);
    }

    /// <summary>
    /// Downloads the tarball of <paramref name="package"/> (any platform, verified against its pinned integrity,
    /// resumable) into <c>downloads/</c> under the install directory, where it stays as a cache; nothing is
    /// installed. Used to put runtimes for other machines into an offline package.
    /// </summary>
    /// <param name="package">A package of <see cref="LlamaRuntimeCatalog.Packages"/>.</param>
    /// <param name="options">The registry and install directory; <see langword="null"/> for the defaults.</param>
    /// <param name="httpClient">The client used for the download; <see langword="null"/> creates one.</param>
    /// <param name="progress">Receives download progress.</param>
    /// <param name="logger">Receives diagnostics.</param>
    /// <param name="cancellationToken">Cancels the download; the partial file is kept for the next call.</param>
    /// <returns>The path of the verified tarball.</returns>
    /// <exception cref="LlamaRuntimeException">No registry is configured, or the download failed or did not match the pinned integrity.</exception>
    /// <exception cref="OffGrid.Hub.HostUnreachableException">The package registry could not be reached (the message says how to install offline).</exception>
    public static Task<string> DownloadPackageAsync(
        RuntimePackage package,
        LlamaRuntimeOptions? options = null,
        HttpClient? httpClient = null,
        IProgress<DownloadProgress>? progress = null,
        ILogger? logger = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(package);
        (RuntimeInstaller installer, LlamaRuntimeOptions settings) = CreateInstaller(options, httpClient, logger);
        return installer.DownloadAsync(package, settings, progress, cancellationToken);
    }

    private static (RuntimeInstaller Installer, LlamaRuntimeOptions Options) CreateInstaller(LlamaRuntimeOptions? options, HttpClient? httpClient, ILogger? logger)
    {
        options ??= new LlamaRuntimeOptions();
        return (new RuntimeInstaller(options.InstallDirectory ?? DefaultInstallDirectory, httpClient, logger ?? NullLogger.Instance), options);
    }

    /// <summary>
    /// The thread count engines and embedding contexts use when none is configured: the physical cores of the loaded
    /// runtime's machine (llama.cpp runs best with one thread per physical core).
    /// </summary>
    internal static int DefaultThreadCount => Current?.Hardware.DefaultThreadCount ?? Environment.ProcessorCount;

    /// <summary>The default install directory: <c>$OFFGRID_HOME/runtime</c> or <c>~/.offgrid/runtime</c>.</summary>
    public static string DefaultInstallDirectory => Hub.OffGridHome.Combine("runtime");

    private static async Task<(string Directory, RuntimePackage? Package, string? InstalledFrom)> LocateOrInstallAsync(
        LlamaRuntimeOptions options, HardwareInfo hardware, HttpClient? httpClient, IProgress<DownloadProgress>? progress, ILogger logger, CancellationToken cancellationToken)
    {
        foreach (string? candidate in new[] { options.LibraryDirectory, Environment.GetEnvironmentVariable("OFFGRID_LLAMA_PATH") })
        {
            if (!string.IsNullOrEmpty(candidate))
            {
                return HasRuntime(candidate)
                    ? (candidate, null, null)
                    : throw new LlamaRuntimeException($"No llama.cpp libraries were found in '{candidate}'.");
            }
        }

        if (HasRuntime(AppContext.BaseDirectory))
        {
            return (AppContext.BaseDirectory, null, null);
        }

        RuntimePackage package = SelectPackage(options.Variant, hardware);
        if (options.Variant == LlamaRuntimeVariant.Auto && package.Variant != LlamaRuntimeVariant.Cpu)
        {
            logger.LogInformation("Using the {Variant} llama.cpp runtime for {Gpus}.", package.Variant, string.Join(", ", hardware.Gpus.Select(g => g.Name)));
        }

        var installer = new RuntimeInstaller(options.InstallDirectory ?? DefaultInstallDirectory, httpClient, logger);
        string directory = await installer.EnsureInstalledAsync(package, options, progress, cancellationToken).ConfigureAwait(false);
        return (directory, package, installer.InstalledFrom);
    }

    private static bool HasRuntime(string directory) =>
        Directory.Exists(directory) && NativeLibraryResolver.FindLibrary(directory, LlamaNative.LlamaLibrary) is not null;

    private static unsafe LlamaRuntime Load(string directory, RuntimePackage? package, string? installedFrom, HardwareInfo hardware, ILogger logger)
    {
        var stopwatch = Stopwatch.StartNew();
        try
        {
            NativeLibraryResolver.Bind(directory);
            LlamaLogBridge.Install(logger);

            // Without loading the backends first, model loading fails with "no backends are loaded"; this also
            // picks the best CPU build (libggml-cpu-<arch>) for the processor.
            LlamaNative.ggml_backend_load_all_from_path(directory);
            LlamaNative.llama_backend_init();
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            throw new LlamaRuntimeException($"The llama.cpp runtime in '{directory}' could not be loaded: {ex.Message}", ex);
        }

        var devices = new List<string>();
        for (nuint i = 0, count = LlamaNative.ggml_backend_dev_count(); i < count; i++)
        {
            IntPtr device = LlamaNative.ggml_backend_dev_get(i);
            devices.Add($"{LlamaNative.ReadUtf8(LlamaNative.ggml_backend_dev_name(device))}: {LlamaNative.ReadUtf8(LlamaNative.ggml_backend_dev_description(device))}");
        }

        if (devices.Count == 0)
        {
            throw new LlamaRuntimeException($"The llama.cpp runtime in '{directory}' loaded no compute backend (no libggml-cpu variant fits this processor).");
        }

        bool gpuLoaded = devices.Any(d => !d.StartsWith("CPU", StringComparison.OrdinalIgnoreCase));
        if (hardware.Gpus.Count > 0 && !gpuLoaded)
        {
            logger.LogWarning(
                "A GPU is present ({Gpus}) but the loaded runtime has no backend for it; inference runs on the CPU. Install the GPU variant or its driver to use it.",
                string.Join(", ", hardware.Gpus.Select(g => g.Name)));
        }

        string systemInfo = LlamaNative.ReadUtf8(LlamaNative.llama_print_system_info()) ?? string.Empty;
        logger.LogInformation("Loaded llama.cpp from {Directory} in {Elapsed} ms; devices: {Devices}.", directory, stopwatch.ElapsedMilliseconds, string.Join("; ", devices));
        return new LlamaRuntime(directory, package, installedFrom, hardware, devices, systemInfo);
    }
}
