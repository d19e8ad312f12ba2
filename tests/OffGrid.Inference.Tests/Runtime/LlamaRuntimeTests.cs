using System.Formats.Tar;
using System.IO.Compression;
using Microsoft.Extensions.Logging.Abstractions;
using OffGrid.Inference.Native;
using OffGrid.Inference.Runtime;
using OffGrid.Testing;

namespace OffGrid.Inference.Tests.Runtime;

public sealed class LlamaRuntimeTests
{
    [Fact]
    public async Task RuntimeIsInstalledFromTheRegistryAndLoadsACpuBackend()
    {
        LlamaRuntime runtime = await TestRuntime.EnsureLoadedAsync();
        Assert.Same(runtime, LlamaRuntime.Current);
        Assert.Contains(runtime.Devices, d => d.StartsWith("CPU", StringComparison.Ordinal));
        Assert.True(runtime.Hardware.LogicalCores >= 1);
        Assert.True(runtime.Hardware.TotalMemoryBytes > 0);
        if (Environment.GetEnvironmentVariable("OFFGRID_LLAMA_PATH") is null)
        {
            Assert.Equal(LlamaRuntimeCatalog.Find(LlamaRuntimeCatalog.CurrentPlatform, LlamaRuntimeVariant.Cpu), runtime.Package);
            Assert.True(File.Exists(Path.Combine(runtime.LibraryDirectory, "offgrid-runtime.json")));
        }
    }

    [Fact]
    public async Task LocalTarballInstallsWithoutNetwork()
    {
        RuntimePackage package = LlamaRuntimeCatalog.Find(LlamaRuntimeCatalog.CurrentPlatform, LlamaRuntimeVariant.Cpu)!;
        string tarball = await DownloadedTarballAsync(package);
        string root = TestPaths.NewTempDir();
        try
        {
            var options = new LlamaRuntimeOptions { InstallDirectory = root, PackageSource = tarball, AllowDownload = false };
            string directory = await LlamaRuntime.InstallPackageAsync(package, options, cancellationToken: TestContext.Current.CancellationToken);
            Assert.NotNull(NativeLibraryResolver.FindLibrary(directory, LlamaNative.LlamaLibrary));
            Assert.Equal(Path.Combine(root, package.InstallFolderName), directory);
            Assert.Empty(Directory.GetDirectories(root, ".staging-*"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task DownloadPackageKeepsAVerifiedTarballAndReusesIt()
    {
        RuntimePackage package = LlamaRuntimeCatalog.Find(LlamaRuntimeCatalog.CurrentPlatform, LlamaRuntimeVariant.Cpu)!;
        string tarball = await DownloadedTarballAsync(package);
        string root = TestPaths.NewTempDir();
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "downloads"));
            File.Copy(tarball, Path.Combine(root, "downloads", package.TarballFileName));
            var offline = new LlamaRuntimeOptions { InstallDirectory = root, RegistryUri = new Uri("http://127.0.0.1:9/") }; // nothing listens: a download would fail

            string cached = await LlamaRuntime.DownloadPackageAsync(package, offline, cancellationToken: TestContext.Current.CancellationToken);

            Assert.Equal(Path.Combine(root, "downloads", package.TarballFileName), cached);
            Assert.False(Directory.Exists(Path.Combine(root, package.InstallFolderName)));

            RuntimePackage other = LlamaRuntimeCatalog.Packages.First(p => p != package);
            var refused = await Assert.ThrowsAsync<OffGrid.Hub.HostUnreachableException>(() => LlamaRuntime.DownloadPackageAsync(other, offline, cancellationToken: TestContext.Current.CancellationToken));
            Assert.Contains(other.Name, refused.Message, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(root, "downloads", other.TarballFileName)));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task TarballWithWrongIntegrityIsRejectedAndNothingIsInstalled()
    {
        RuntimePackage package = LlamaRuntimeCatalog.Find(LlamaRuntimeCatalog.CurrentPlatform, LlamaRuntimeVariant.Cpu)!;
        string root = TestPaths.NewTempDir();
        try
        {
            string forged = Path.Combine(root, package.TarballFileName);
            await WriteTarballAsync(forged, ("package/bins/linux-x64/libllama.v0.4.0.so", "not a library"u8.ToArray()));
            var installer = new RuntimeInstaller(root, httpClient: null, NullLogger.Instance);
            var ex = await Assert.ThrowsAsync<LlamaRuntimeException>(() =>
                installer.EnsureInstalledAsync(package, new LlamaRuntimeOptions { PackageSource = forged }, null, TestContext.Current.CancellationToken));
            Assert.Contains("integrity", ex.Message, StringComparison.Ordinal);
            Assert.False(Directory.Exists(Path.Combine(root, package.InstallFolderName)));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task DownloadsDisabledGivesAnActionableError()
    {
        RuntimePackage package = LlamaRuntimeCatalog.Find(LlamaRuntimeCatalog.CurrentPlatform, LlamaRuntimeVariant.Cpu)!;
        string root = TestPaths.NewTempDir();
        try
        {
            var installer = new RuntimeInstaller(root, httpClient: null, NullLogger.Instance);
            var ex = await Assert.ThrowsAsync<LlamaRuntimeException>(() =>
                installer.EnsureInstalledAsync(package, new LlamaRuntimeOptions { AllowDownload = false }, null, TestContext.Current.CancellationToken));
            Assert.Contains("runtime install --from", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void CatalogCoversEveryMajorPlatformWithSha512Integrity()
    {
        foreach ((string platform, LlamaRuntimeVariant variant) in new[]
        {
            ("linux-x64", LlamaRuntimeVariant.Cpu), ("linux-x64", LlamaRuntimeVariant.Cuda), ("linux-x64", LlamaRuntimeVariant.Vulkan),
            ("linux-arm64", LlamaRuntimeVariant.Cpu), ("mac-arm64", LlamaRuntimeVariant.Metal), ("mac-x64", LlamaRuntimeVariant.Cpu),
            ("win-x64", LlamaRuntimeVariant.Cpu), ("win-x64", LlamaRuntimeVariant.Cuda), ("win-x64", LlamaRuntimeVariant.Vulkan),
        })
        {
            RuntimePackage? package = LlamaRuntimeCatalog.Find(platform, variant);
            Assert.NotNull(package);
            Assert.StartsWith("sha512-", package.Integrity, StringComparison.Ordinal);
            Assert.Equal(LlamaRuntimeCatalog.PackageVersion, package.Version);
        }

        RuntimePackage linux = LlamaRuntimeCatalog.Find("linux-x64", LlamaRuntimeVariant.Cpu)!;
        Assert.Equal("https://registry.example/@node-llama-cpp/linux-x64/-/linux-x64-3.21.1.tgz", linux.GetTarballUri(new Uri("https://registry.example/")).AbsoluteUri);
    }

    [Fact]
    public void NoPackageForAnUnknownPlatformIsAClearError()
    {
        var hardware = HardwareProbe.Probe();
        var other = new HardwareInfo
        {
            OperatingSystem = hardware.OperatingSystem, Platform = "freebsd-riscv64", LogicalCores = 1, CpuFeatures = [],
            TotalMemoryBytes = 1, AvailableMemoryBytes = 1, Gpus = [],
        };
        var ex = Assert.Throws<LlamaRuntimeException>(() => LlamaRuntime.SelectPackage(LlamaRuntimeVariant.Auto, other));
        Assert.Contains("freebsd-riscv64", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GpuVendorsSelectTheirVariant()
    {
        HardwareInfo With(params GpuInfo[] gpus) => new()
        {
            OperatingSystem = "test", Platform = "linux-x64", LogicalCores = 2, CpuFeatures = [], TotalMemoryBytes = 1, AvailableMemoryBytes = 1, Gpus = gpus,
        };
        Assert.Equal(LlamaRuntimeVariant.Cpu, HardwareProbe.ChooseVariant(With()));
        Assert.Equal(LlamaRuntimeVariant.Cuda, HardwareProbe.ChooseVariant(With(new GpuInfo("NVIDIA", "H100", 80L << 30))));
        Assert.Equal(LlamaRuntimeVariant.Vulkan, HardwareProbe.ChooseVariant(With(new GpuInfo("AMD", "MI300", null))));
    }

    private static async Task<string> DownloadedTarballAsync(RuntimePackage package)
    {
        await TestRuntime.EnsureLoadedAsync();
        string cached = Path.Combine(TestPaths.CacheDir, "runtime", "downloads", package.TarballFileName);
        if (File.Exists(cached))
        {
            return cached;
        }

        // The runtime came from OFFGRID_LLAMA_PATH, so nothing was downloaded: fetch the tarball the way npm would.
        string dir = TestPaths.NewTempDir();
        var psi = new System.Diagnostics.ProcessStartInfo("npm", $"pack {package.Name}@{package.Version} --silent") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = System.Diagnostics.Process.Start(psi)!;
        await process.WaitForExitAsync();
        return Directory.GetFiles(dir, "*.tgz").Single();
    }

    private static async Task WriteTarballAsync(string path, params (string Name, byte[] Data)[] entries)
    {
        await using FileStream file = File.Create(path);
        await using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        await using var writer = new TarWriter(gzip);
        foreach ((string name, byte[] data) in entries)
        {
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) });
        }
    }
}
