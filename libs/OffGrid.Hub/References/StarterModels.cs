namespace OffGrid.Hub.References;

/// <summary>
/// Built-in aliases worth trying first on a machine: what <c>offgrid list</c> and <c>offgrid doctor</c> recommend. A
/// starter must fit in memory (the GPU's when there is one, else half the system's, at about Q4_K_M and a 4K context)
/// and, on the CPU alone, be small enough for the cores to generate at reading speed (about 1B parameters per core).
/// </summary>
public static class StarterModels
{
    private const long GB = 1_000_000_000;

    private static readonly (string Alias, long MemoryBytes, double BillionParameters)[] s_models =
    [
        ("qwen2.5-0.5b", 1 * GB, 0.5),
        ("llama3.2-1b", 2 * GB, 1.2),
        ("llama3.2", 4 * GB, 3.2),
        ("qwen2.5", 8 * GB, 7.6),
        ("llama3.1", 10 * GB, 8.0),
    ];

    /// <summary>The starters that suit a machine, the largest first.</summary>
    /// <param name="totalMemoryBytes">The machine's total memory.</param>
    /// <param name="cpuCores">Physical CPU cores; they bound the model size when there is no GPU.</param>
    /// <param name="gpuMemoryBytes">Memory of the largest GPU; 0 without a GPU, <see langword="null"/> for a GPU of unknown memory (system memory bounds it then).</param>
    /// <returns>At least one alias: the smallest starter when none suits.</returns>
    public static IReadOnlyList<ModelAlias> For(long totalMemoryBytes, int cpuCores, long? gpuMemoryBytes = 0)
    {
        long budget = gpuMemoryBytes is > 0 and { } gpu ? gpu * 9 / 10 : totalMemoryBytes / 2;
        double maxBillions = gpuMemoryBytes is 0 ? Math.Max(1, cpuCores) * 1.0 : double.MaxValue;
        var byName = ModelAliasCatalog.BuiltIn.ToDictionary(a => a.Name, StringComparer.Ordinal);
        List<ModelAlias> fitting = [.. s_models.Where(m => m.MemoryBytes <= budget && m.BillionParameters <= maxBillions).Reverse().Select(m => byName[m.Alias])];
        return fitting.Count > 0 ? fitting : [byName[s_models[0].Alias]];
    }
}
