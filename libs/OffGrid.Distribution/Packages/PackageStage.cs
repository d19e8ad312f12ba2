namespace OffGrid.Distribution.Packages;

/// <summary>The stage of a package operation, reported with <see cref="PackageProgress"/>.</summary>
public enum PackageStage
{
    /// <summary>Collecting the content: models from the store, runtime downloads, the tool package.</summary>
    Preparing,

    /// <summary>Writing the package's files to the output.</summary>
    Writing,

    /// <summary>Checking the signature and the size and SHA-256 of every file.</summary>
    Verifying,

    /// <summary>Copying verified models into the store and installing the runtime.</summary>
    Importing,

    /// <summary>Finished.</summary>
    Done,
}
