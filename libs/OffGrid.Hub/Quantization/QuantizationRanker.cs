namespace OffGrid.Hub.Quantization;

/// <summary>
/// Chooses the best variant of a model for this machine: the most preferred quantization (Q4_K_M, then Q5_K_M, …)
/// whose size, plus headroom for the context cache, fits the memory budget.
/// </summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed class QuantizationRanker
{
    /// <summary>The factor applied to the file size to leave room for the key/value cache and compute buffers.</summary>
    public const double MemoryHeadroom = 1.2;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="memoryBudgetBytes">The memory a model may use; <see cref="DefaultMemoryBudget"/> when <see langword="null"/>.</param>
    public QuantizationRanker(long? memoryBudgetBytes = null)
    {
        MemoryBudgetBytes = memoryBudgetBytes ?? DefaultMemoryBudget();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MemoryBudgetBytes, nameof(memoryBudgetBytes));
    }

    /// <summary>Gets the memory a model may use, in bytes.</summary>
    public long MemoryBudgetBytes { get; }

    /// <summary>Gets three quarters of the memory available to this process (container limits included).</summary>
    /// <returns>The budget in bytes.</returns>
    public static long DefaultMemoryBudget() => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 4 * 3;

    /// <summary>Gets a value indicating whether <paramref name="variant"/> fits the budget with headroom.</summary>
    /// <param name="variant">The variant.</param>
    /// <returns><see langword="true"/> when it fits.</returns>
    public bool Fits(ModelVariant variant)
    {
        ArgumentNullException.ThrowIfNull(variant);
        return variant.SizeBytes * MemoryHeadroom <= MemoryBudgetBytes;
    }

    /// <summary>
    /// Orders variants best first: those that fit by quantization preference (plain before dynamic, then smaller),
    /// then those that do not fit, smallest first.
    /// </summary>
    /// <param name="variants">The candidates.</param>
    /// <returns>The ordered variants.</returns>
    public IReadOnlyList<ModelVariant> Rank(IEnumerable<ModelVariant> variants)
    {
        ArgumentNullException.ThrowIfNull(variants);
        return variants
            .OrderBy(v => Fits(v) ? 0 : 1)
            .ThenBy(v => Fits(v) ? v.Quantization?.PreferenceRank ?? int.MaxValue : 0)
            .ThenBy(v => v.Quantization?.IsDynamic ?? false)
            .ThenBy(v => v.SizeBytes)
            .ThenBy(v => v.Name, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Selects the variant to download.</summary>
    /// <param name="variants">The candidates.</param>
    /// <param name="quantization">A quantization the user asked for (for example <c>q8_0</c>); it is taken even if it does not fit.</param>
    /// <returns>The chosen variant, or <see langword="null"/> when nothing fits (or the requested quantization is absent).</returns>
    public ModelVariant? SelectBest(IEnumerable<ModelVariant> variants, string? quantization = null)
    {
        ArgumentNullException.ThrowIfNull(variants);
        IReadOnlyList<ModelVariant> ranked = Rank(variants);
        if (quantization is not null)
        {
            return ranked.FirstOrDefault(v => v.Quantization is { } q && (q.Is(quantization) || q.ToString().Equals(quantization, StringComparison.OrdinalIgnoreCase)))
                ?? ranked.FirstOrDefault(v => v.Name.Contains(quantization, StringComparison.OrdinalIgnoreCase));
        }

        // A model with a single variant of unknown quantization (e.g. an F32 toy model) is still a valid choice.
        return ranked.FirstOrDefault(Fits);
    }
}
