using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using OffGrid.Hub;
using OffGrid.Hub.Downloads;
using OffGrid.Speech.Synthesis.Piper;

namespace OffGrid.Speech.Native;

/// <summary>
/// Finds or installs sherpa-onnx's native libraries (npm <c>sherpa-onnx-linux-x64@1.13.8</c>: its C API and the
/// onnxruntime it links) through the hub's integrity-checked npm installer, and binds <see cref="SherpaOnnxNative"/> to them.
/// </summary>
/// <remarks>Thread-safe; the libraries are loaded once per process.</remarks>
internal static class SherpaOnnxRuntime
{
    /// <summary>The pinned package: version and the registry's sha512 integrity of its tarball.</summary>
    public static readonly NpmPackage Package = new("sherpa-onnx-linux-x64", "1.13.8", "sha512-6plnhjagsSeTntCgnlag86hWbs/uZE9Crms1LgOb68/1nKsIQjMd+WG519m+aPwT6TrsBOiEMzrx41t8sL5L5g==");

    private const string CApiFile = "libsherpa-onnx-c-api.so";
    private const string OnnxRuntimeFile = "libonnxruntime.so";
    private static readonly SemaphoreSlim s_gate = new(1, 1);
    private static string? s_directory;
    private static IntPtr s_library;

    /// <summary>Returns the folder the libraries were loaded from, installing and loading them on first use.</summary>
    /// <exception cref="SpeechEngineException">The runtime cannot be installed or loaded here.</exception>
    public static async Task<string> EnsureLoadedAsync(PiperOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        if (s_directory is { } loaded)
        {
            return loaded;
        }

        await s_gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (s_directory is null)
            {
                string directory = options.RuntimeDirectory ?? await InstallAsync(options, logger, cancellationToken).ConfigureAwait(false);
                Load(directory);
                s_directory = directory;
            }

            return s_directory;
        }
        finally
        {
            s_gate.Release();
        }
    }

    private static async Task<string> InstallAsync(PiperOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        string root = options.InstallDirectory ?? Path.Combine(HubOptions.DefaultHomeDirectory(), "runtime");
        string target = Path.Combine(root, Package.InstallFolderName);
        var installer = new NpmPackageInstaller(root, logger: logger);
        if (installer.IsInstalled(target))
        {
            return target;
        }

        if (!OperatingSystem.IsLinux() || RuntimeInformation.OSArchitecture != Architecture.X64)
        {
            throw new SpeechEngineException($"OffGrid installs sherpa-onnx for Piper voices on linux-x64 only; on {RuntimeInformation.RuntimeIdentifier}, put sherpa-onnx's C API libraries in a folder and set Piper.RuntimeDirectory.");
        }

        Directory.CreateDirectory(root);
        try
        {
            string tarball = options.PackageSource
                ?? (options.AllowDownload
                    ? await installer.DownloadAsync(
                        Package,
                        NpmRegistry.Locate(options.RegistryUri) ?? throw new SpeechEngineException("No npm registry is configured on this machine (NPM_CONFIG_REGISTRY or .npmrc) to install sherpa-onnx from; set Piper.PackageSource to a copy of " + Package.TarballFileName + "."),
                        null,
                        cancellationToken).ConfigureAwait(false)
                    : throw new SpeechEngineException($"sherpa-onnx (for Piper voices) is not installed and downloads are disabled; set Piper.PackageSource to a copy of {Package.TarballFileName}."));
            return await installer.InstallTarballAsync(Package, tarball, target, staging => Path.Combine(staging, "package"), cancellationToken).ConfigureAwait(false);
        }
        catch (HostUnreachableException ex)
        {
            throw ex.For($"sherpa-onnx {Package.Version} (for Piper voices)", $"Offline, set Piper.PackageSource to a copy of {Package.TarballFileName}.");
        }
        catch (Exception ex) when (ex is DownloadIntegrityException or InvalidDataException or HttpRequestException)
        {
            throw new SpeechEngineException($"sherpa-onnx {Package.Version} could not be installed: {ex.Message}", ex);
        }
    }

    private static void Load(string directory)
    {
        string api = Path.Combine(directory, CApiFile);
        if (!File.Exists(api))
        {
            throw new SpeechEngineException($"'{directory}' does not hold sherpa-onnx's {CApiFile}.");
        }

        try
        {
            // The C API finds onnxruntime beside itself; loading it first by full path makes that independent of RUNPATH.
            if (File.Exists(Path.Combine(directory, OnnxRuntimeFile)))
            {
                NativeLibrary.Load(Path.Combine(directory, OnnxRuntimeFile));
            }

            s_library = NativeLibrary.Load(api);
        }
        catch (DllNotFoundException ex)
        {
            throw new SpeechEngineException($"sherpa-onnx in '{directory}' could not be loaded: {ex.Message}", ex);
        }

        NativeLibrary.SetDllImportResolver(typeof(SherpaOnnxRuntime).Assembly, Resolve);
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path) =>
        name == SherpaOnnxNative.Library ? s_library : IntPtr.Zero;
}
