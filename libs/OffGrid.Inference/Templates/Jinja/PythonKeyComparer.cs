namespace OffGrid.Inference.Templates.Jinja;

/// <summary>Compares dictionary keys as Python does: <c>1</c>, <c>1.0</c> and <c>True</c> are the same key.</summary>
internal sealed class PythonKeyComparer : IEqualityComparer<object>
{
    /// <summary>The shared instance.</summary>
    public static readonly PythonKeyComparer Instance = new();

    private PythonKeyComparer()
    {
    }

    /// <inheritdoc/>
    public new bool Equals(object? x, object? y) => ValueOperations.AreEqual(x, y);

    /// <inheritdoc/>
    public int GetHashCode(object obj) => obj switch
    {
        string s => s.GetHashCode(StringComparison.Ordinal),
        bool b => b ? 1 : 0,
        long l => l.GetHashCode(),
        double d when d == Math.Floor(d) && Math.Abs(d) < long.MaxValue => ((long)d).GetHashCode(),
        double d => d.GetHashCode(),
        _ => obj.GetHashCode(),
    };
}
