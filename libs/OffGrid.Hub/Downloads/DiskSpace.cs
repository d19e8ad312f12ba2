namespace OffGrid.Hub.Downloads;

/// <summary>Checks free disk space before a large write, so that a full disk is refused up front instead of half-way.</summary>
/// <remarks>Thread-safe (stateless). Free space can shrink after the check; writers still handle a full disk.</remarks>
public static class DiskSpace
{
    private const int UnixNoSpaceLeft = 28;
    private const int WindowsDiskFull = unchecked((int)0x80070070);
    private const int WindowsHandleDiskFull = unchecked((int)0x80070027);

    /// <summary>Throws when the file system holding <paramref name="path"/> has less than <paramref name="bytesNeeded"/> + <paramref name="reserve"/> bytes free.</summary>
    /// <param name="path">A file or folder on the target file system; the nearest existing parent is measured.</param>
    /// <param name="bytesNeeded">The bytes about to be written.</param>
    /// <param name="reserve">Bytes to leave free beyond <paramref name="bytesNeeded"/>.</param>
    /// <exception cref="InsufficientDiskSpaceException">The file system is too full.</exception>
    /// <remarks>When the free space cannot be measured (an unusual mount), nothing is thrown.</remarks>
    public static void EnsureAvailable(string path, long bytesNeeded, long reserve = 0)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (bytesNeeded <= 0 && reserve <= 0)
        {
            return;
        }

        if (TryGetAvailable(path) is { } available && available < bytesNeeded + reserve)
        {
            throw new InsufficientDiskSpaceException(
                $"Not enough disk space in {ExistingParent(path)}: {bytesNeeded:N0} bytes needed (+{reserve:N0} reserve), {available:N0} available.");
        }
    }

    /// <summary>Gets the bytes free for this user on the file system holding <paramref name="path"/>, or <see langword="null"/> when unknown.</summary>
    /// <param name="path">A file or folder; the nearest existing parent is measured.</param>
    /// <returns>The free bytes, or <see langword="null"/>.</returns>
    public static long? TryGetAvailable(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        try
        {
            return new DriveInfo(ExistingParent(path)).AvailableFreeSpace;
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Gets a value indicating whether <paramref name="exception"/> reports a full disk (ENOSPC, ERROR_DISK_FULL).</summary>
    /// <param name="exception">An I/O failure.</param>
    /// <returns><see langword="true"/> for a full disk.</returns>
    public static bool IsDiskFull(Exception exception) =>
        exception is InsufficientDiskSpaceException
        || (exception is IOException && exception.HResult is UnixNoSpaceLeft or WindowsDiskFull or WindowsHandleDiskFull);

    private static string ExistingParent(string path)
    {
        string? dir = Path.GetFullPath(path);
        while (dir is not null && !Directory.Exists(dir))
        {
            dir = Path.GetDirectoryName(dir);
        }

        return dir ?? Path.GetPathRoot(Path.GetFullPath(path))!;
    }
}
