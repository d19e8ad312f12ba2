namespace OffGrid.Distribution.Packages;

/// <summary>A progress report of a package operation.</summary>
/// <param name="Stage">What is happening.</param>
/// <param name="Item">The file or model being worked on, if any.</param>
/// <param name="BytesDone">Bytes of the stage done so far.</param>
/// <param name="TotalBytes">Bytes of the stage in all, when known.</param>
/// <param name="BytesPerSecond">The current rate.</param>
/// <param name="EstimatedRemaining">The estimated time left of the stage, when the total and rate are known.</param>
public readonly record struct PackageProgress(PackageStage Stage, string? Item, long BytesDone, long? TotalBytes, double BytesPerSecond, TimeSpan? EstimatedRemaining);
