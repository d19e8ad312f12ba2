namespace OffGrid.Distribution.Packages;

/// <summary>A llama.cpp runtime package (the pinned npm tarball) in a package, for one platform.</summary>
/// <param name="Platform">The platform key, for example <c>linux-x64</c> or <c>win-x64-cuda</c>.</param>
/// <param name="Package">The npm package name, for example <c>@node-llama-cpp/linux-x64</c>.</param>
/// <param name="Version">The npm package version.</param>
/// <param name="LlamaCppRelease">The llama.cpp release it was built from.</param>
/// <param name="Integrity">The registry's integrity string of the tarball (<c>sha512-…</c>).</param>
/// <param name="Path">The package path of the tarball.</param>
public sealed record PackageRuntime(string Platform, string Package, string Version, string LlamaCppRelease, string Integrity, string Path);
