using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using OffGrid.Hub.Downloads;
using OffGrid.Testing;
using OffGrid.Testing.HuggingFace;

namespace OffGrid.Hub.Tests.Downloads;

public sealed class NpmPackageInstallerTests : IDisposable
{
    private readonly string _root = TestPaths.NewTempDir("npm");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task DownloadsFromTheRegistryChecksAndPublishesTheSelectedFolder()
    {
        byte[] tgz = Tarball(("package/lib/libnative.so", "native"u8.ToArray()), ("package/README.md", "readme"u8.ToArray()));
        var package = new NpmPackage("native-pkg", "1.2.3", Integrity(tgz));
        await using var registry = LoopbackHubServer.Start();
        registry.AddFile("native-pkg/-/native-pkg-1.2.3.tgz", tgz);
        var installer = new NpmPackageInstaller(_root);
        string target = Path.Combine(_root, package.InstallFolderName);

        string tarball = await installer.DownloadAsync(package, new Uri(registry.BaseUri, "files/"), null, Ct);
        string installed = await installer.InstallTarballAsync(package, tarball, target, staging => Path.Combine(staging, "package", "lib"), Ct);

        Assert.Equal(target, installed);
        Assert.True(installer.IsInstalled(target));
        Assert.Equal("native", await File.ReadAllTextAsync(Path.Combine(target, "libnative.so"), Ct));
        Assert.False(File.Exists(Path.Combine(target, "README.md")));
        Assert.Empty(Directory.GetDirectories(_root, ".staging-*"));
    }

    [Fact]
    public async Task RefusesATarballThatIsNotThePinnedPackage()
    {
        byte[] tgz = Tarball(("package/lib/libnative.so", "forged"u8.ToArray()));
        string tarball = Path.Combine(_root, "forged.tgz");
        await File.WriteAllBytesAsync(tarball, tgz, Ct);
        var package = new NpmPackage("native-pkg", "1.2.3", Integrity("something else"u8.ToArray()));
        string target = Path.Combine(_root, package.InstallFolderName);

        await Assert.ThrowsAsync<DownloadIntegrityException>(() => new NpmPackageInstaller(_root).InstallTarballAsync(package, tarball, target, s => s, Ct));

        Assert.False(Directory.Exists(target));
    }

    [Fact]
    public async Task RefusesPathsThatLeaveThePackage()
    {
        byte[] tgz = Tarball(("../escape.txt", "x"u8.ToArray()));
        string tarball = Path.Combine(_root, "evil.tgz");
        await File.WriteAllBytesAsync(tarball, tgz, Ct);
        var package = new NpmPackage("evil", "1.0.0", Integrity(tgz));

        await Assert.ThrowsAsync<InvalidDataException>(() => new NpmPackageInstaller(_root).InstallTarballAsync(package, tarball, Path.Combine(_root, "evil"), s => s, Ct));

        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(_root)!, "escape.txt")));
    }

    private static string Integrity(byte[] bytes) => "sha512-" + Convert.ToBase64String(SHA512.HashData(bytes));

    private static byte[] Tarball(params (string Name, byte[] Data)[] files)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach ((string name, byte[] data) in files)
            {
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) });
            }
        }

        return output.ToArray();
    }
}
