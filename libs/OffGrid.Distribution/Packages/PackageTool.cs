namespace OffGrid.Distribution.Packages;

/// <summary>The <c>offgrid</c> .NET tool package (<c>.nupkg</c>) in a package, which the install scripts install.</summary>
/// <param name="PackageId">The NuGet package id, for example <c>OffGrid.Cli</c>.</param>
/// <param name="Version">The package version.</param>
/// <param name="Command">The command the tool installs, for example <c>offgrid</c>.</param>
/// <param name="EntryPoint">The tool's entry assembly inside the .nupkg, for example <c>tools/net10.0/any/offgrid.dll</c>.</param>
/// <param name="Path">The package path of the .nupkg.</param>
public sealed record PackageTool(string PackageId, string Version, string Command, string EntryPoint, string Path);
