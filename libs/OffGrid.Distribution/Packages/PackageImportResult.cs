using OffGrid.Hub.Store;

namespace OffGrid.Distribution.Packages;

/// <summary>The outcome of <see cref="PackageImporter.ImportAsync"/>.</summary>
/// <param name="Package">The verified package.</param>
/// <param name="Models">The models now in the store.</param>
/// <param name="RuntimeDirectory">The folder of the llama.cpp runtime installed for this machine, or <see langword="null"/> when none was installed.</param>
/// <param name="Notes">What was skipped and why (for example a runtime for another platform only).</param>
public sealed record PackageImportResult(VerifiedPackage Package, IReadOnlyList<ModelManifest> Models, string? RuntimeDirectory, IReadOnlyList<string> Notes);
