namespace OffGrid.Distribution.Packages;

/// <summary>
/// Thrown when a package is refused (bad signature, untrusted or revoked key, altered, missing or extra files, unsafe
/// paths, links, a truncated archive) or a package request cannot be carried out. Nothing was imported or written.
/// </summary>
public sealed class PackageException : Exception
{
    /// <summary>Initializes a new instance with a default message.</summary>
    public PackageException()
        : this(PackageProblem.InvalidRequest, "The package cannot be used.")
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">What is wrong and what to do.</param>
    public PackageException(string message)
        : this(PackageProblem.InvalidRequest, message)
    {
    }

    /// <summary>Initializes a new instance with a message and the underlying cause.</summary>
    /// <param name="message">What is wrong and what to do.</param>
    /// <param name="innerException">The underlying cause.</param>
    public PackageException(string message, Exception innerException)
        : base(message, innerException)
    {
        Problem = PackageProblem.InvalidRequest;
    }

    /// <summary>Initializes a new instance for a problem.</summary>
    /// <param name="problem">Why the package was refused.</param>
    /// <param name="message">What is wrong and what to do.</param>
    /// <param name="innerException">The underlying cause, if any.</param>
    public PackageException(PackageProblem problem, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Problem = problem;
    }

    /// <summary>Gets why the package was refused.</summary>
    public PackageProblem Problem { get; }
}
