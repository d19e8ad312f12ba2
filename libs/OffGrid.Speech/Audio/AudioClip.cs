namespace OffGrid.Speech.Audio;

/// <summary>Mono audio as 32-bit float samples in [-1, 1] at a known sample rate.</summary>
/// <remarks>Immutable by convention: the sample array is shared, not copied; do not change it after construction.</remarks>
public sealed class AudioClip
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="samples">Mono samples, nominally in [-1, 1].</param>
    /// <param name="sampleRate">Samples per second (Hz), positive.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="sampleRate"/> is not positive.</exception>
    public AudioClip(float[] samples, int sampleRate)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        Samples = samples;
        SampleRate = sampleRate;
    }

    /// <summary>Gets the mono samples.</summary>
    public float[] Samples { get; }

    /// <summary>Gets the sample rate in Hz.</summary>
    public int SampleRate { get; }

    /// <summary>Gets the length of the audio.</summary>
    public TimeSpan Duration => TimeSpan.FromSeconds((double)Samples.Length / SampleRate);

    /// <summary>Gets the largest absolute sample value (0 for an empty clip).</summary>
    public float Peak
    {
        get
        {
            float peak = 0;
            foreach (float s in Samples)
            {
                peak = Math.Max(peak, Math.Abs(s));
            }

            return peak;
        }
    }
}
