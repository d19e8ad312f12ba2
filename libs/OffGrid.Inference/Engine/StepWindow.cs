namespace OffGrid.Inference.Engine;

/// <summary>
/// Engine steps measured back to back, for the tuners that compare two ways of running them by their mean: full once
/// it holds <paramref name="minSteps"/> steps and <paramref name="minSeconds"/> seconds, enough for a rare stall (a
/// scheduler time slice lost to another process) to show in the mean.
/// </summary>
internal struct StepWindow(int minSteps, double minSeconds)
{
    private int _steps;
    private double _seconds;

    /// <summary>The mean step in seconds.</summary>
    public readonly double Mean => _seconds / _steps;

    /// <summary>Adds a step; returns whether the window is full.</summary>
    public bool Add(double seconds)
    {
        _steps++;
        _seconds += seconds;
        return _steps >= minSteps && _seconds >= minSeconds;
    }
}
