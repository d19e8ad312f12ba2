namespace OffGrid.Hub.Store;

/// <summary>A progress report of <see cref="ModelStore.PullAsync"/>.</summary>
/// <param name="Status">The current stage.</param>
/// <param name="Message">A human-readable line, for example the chosen file.</param>
/// <param name="BytesReceived">Bytes of the model present so far (all parts).</param>
/// <param name="TotalBytes">The model size, when known.</param>
/// <param name="BytesPerSecond">The current transfer rate.</param>
/// <param name="EstimatedRemaining">The estimated time left.</param>
public readonly record struct PullProgress(PullStatus Status, string? Message = null, long BytesReceived = 0, long? TotalBytes = null, double BytesPerSecond = 0, TimeSpan? EstimatedRemaining = null);
