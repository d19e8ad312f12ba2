namespace OffGrid.Distribution.Packages;

/// <summary>The outcome of <see cref="PackageBuilder.CreateAsync"/>.</summary>
/// <param name="Path">The package folder or archive.</param>
/// <param name="Manifest">The manifest written into it.</param>
/// <param name="Resumed">Whether an interrupted earlier run was continued.</param>
public sealed record PackageCreateResult(string Path, PackageManifest Manifest, bool Resumed);
