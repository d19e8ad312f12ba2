namespace OffGrid.Hub;

/// <summary>
/// An <see cref="IProgress{T}"/> that calls a delegate synchronously on the reporting thread, unlike
/// <see cref="Progress{T}"/>, which posts to a captured context and may reorder or delay reports.
/// </summary>
/// <typeparam name="T">The report type.</typeparam>
/// <remarks>Thread-safe as far as the delegate is.</remarks>
internal sealed class CallbackProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
