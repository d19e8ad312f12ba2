namespace OffGrid.Hub.Downloads;

/// <summary>A snapshot of a running download.</summary>
/// <param name="BytesReceived">Bytes of the file present so far, including bytes kept from an earlier attempt.</param>
/// <param name="TotalBytes">The file size, when the server said it.</param>
/// <param name="BytesPerSecond">The transfer rate of this attempt.</param>
/// <param name="EstimatedRemaining">The estimated time left, when the size and rate are known.</param>
public readonly record struct DownloadProgress(long BytesReceived, long? TotalBytes, double BytesPerSecond, TimeSpan? EstimatedRemaining);
