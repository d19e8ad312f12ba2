namespace OffGrid.AspNetCore.Backends;

/// <summary>An exponentially weighted moving average of durations, in seconds.</summary>
/// <remarks>Thread-safe: samples are folded in with a compare-and-swap loop.</remarks>
internal sealed class MovingAverage
{
    private readonly double _smoothing;
    private long _bits = BitConverter.DoubleToInt64Bits(double.NaN);

    /// <param name="smoothing">The weight of each new sample, above 0 and at most 1.</param>
    public MovingAverage(double smoothing)
    {
        _smoothing = smoothing;
    }

    /// <summary>The average in seconds, or <see langword="null"/> before the first sample.</summary>
    public double? Seconds
    {
        get
        {
            double value = BitConverter.Int64BitsToDouble(Interlocked.Read(ref _bits));
            return double.IsNaN(value) ? null : value;
        }
    }

    /// <summary>Folds a sample in; the first sample is taken as it is.</summary>
    public void Add(TimeSpan sample)
    {
        double seconds = sample.TotalSeconds;
        long seen = Interlocked.Read(ref _bits);
        while (true)
        {
            double old = BitConverter.Int64BitsToDouble(seen);
            double next = double.IsNaN(old) ? seconds : old + (_smoothing * (seconds - old));
            long actual = Interlocked.CompareExchange(ref _bits, BitConverter.DoubleToInt64Bits(next), seen);
            if (actual == seen)
            {
                return;
            }

            seen = actual;
        }
    }
}
