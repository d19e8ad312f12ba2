namespace OffGrid.Inference.Bench;

/// <summary>Mean, minimum and maximum of one figure over the measured iterations.</summary>
internal readonly record struct Summary(double Mean, double Min, double Max)
{
    public static Summary Of(IReadOnlyCollection<double> values) =>
        values.Count == 0 ? new Summary(double.NaN, double.NaN, double.NaN) : new Summary(values.Average(), values.Min(), values.Max());

    public override string ToString() => $"{Mean:0.0} ({Min:0.0}–{Max:0.0})";
}
