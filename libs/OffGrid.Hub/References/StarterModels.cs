namespace OffGrid.Hub.References;

/// <summary>
/// Built-in aliases worth trying first on a machine, with the memory each needs at its default quantization (about
/// Q4_K_M, 4K context): what <c>offgrid list</c> and <c>offgrid doctor</c> recommend.
/// </summary>
public static class StarterModels
{
    private const long GB = 1_000_000_000;

    private static readonly (string Alias, long MemoryBytes)[] s_models =
    [
        ("qwen2.5-0.5b", 1 * GB),
        ("llama3.2-1b", 2 * GB),
        ("llama3.2", 4 * GB),
        ("qwen2.5", 8 * GB),
        ("llama3.1", 10 * GB),
    ];

    /// <summary>The starters that fit in <paramref name="totalMemoryBytes"/> with room for the system, the largest first.</summary>
    /// <param name="totalMemoryBytes">The machine's total memory.</param>
    /// <returns>At least one alias: the smallest starter when none fits.</returns>
    public static IReadOnlyList<ModelAlias> For(long totalMemoryBytes)
    {
        long budget = totalMemoryBytes / 2;
        var byName = ModelAliasCatalog.BuiltIn.ToDictionary(a => a.Name, StringComparer.Ordinal);
        List<ModelAlias> fitting = [.. s_models.Where(m => m.MemoryBytes <= budget).Reverse().Select(m => byName[m.Alias])];
        return fitting.Count > 0 ? fitting : [byName[s_models[0].Alias]];
    }
}
