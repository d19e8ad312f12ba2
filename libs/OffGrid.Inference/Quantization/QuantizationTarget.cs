namespace OffGrid.Inference.Quantization;

/// <summary>
/// A type that <c>llama_model_quantize</c> of the pinned llama.cpp runtime can write, named as llama.cpp's
/// <c>llama-quantize</c> tool names it (<c>Q4_K_M</c>, <c>Q8_0</c>, <c>IQ4_XS</c>…).
/// </summary>
/// <remarks>Immutable and thread-safe. The list mirrors <c>llama_ftype</c> in llama.h.</remarks>
public sealed record QuantizationTarget
{
    private static readonly QuantizationTarget[] s_all =
    [
        new("F32", 0, 32), new("F16", 1, 16), new("BF16", 32, 16), new("Q8_0", 7, 8.5), new("Q6_K", 18, 6.56),
        new("Q5_K_M", 17, 5.69), new("Q5_K_S", 16, 5.54), new("Q5_1", 9, 6), new("Q5_0", 8, 5.5),
        new("Q4_K_M", 15, 4.89), new("Q4_K_S", 14, 4.58), new("Q4_1", 3, 5), new("Q4_0", 2, 4.5),
        new("IQ4_NL", 25, 4.5), new("IQ4_XS", 30, 4.25), new("MXFP4_MOE", 38, 4.25),
        new("Q3_K_L", 13, 4.27), new("Q3_K_M", 12, 3.91), new("Q3_K_S", 11, 3.5),
        new("IQ3_M", 27, 3.66), new("IQ3_S", 26, 3.44), new("IQ3_XS", 22, 3.3), new("IQ3_XXS", 23, 3.06),
        new("Q2_K", 10, 3.0), new("Q2_K_S", 21, 2.9), new("Q2_0", 41, 2.25),
        new("IQ2_M", 29, 2.7), new("IQ2_S", 28, 2.5), new("IQ2_XS", 20, 2.31), new("IQ2_XXS", 19, 2.06),
        new("TQ2_0", 37, 2.06), new("IQ1_M", 31, 1.75), new("TQ1_0", 36, 1.69), new("IQ1_S", 24, 1.56), new("Q1_0", 40, 1.125),
    ];

    // llama-quantize's short names for the medium K-quant mixes.
    private static readonly Dictionary<string, string> s_aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Q3_K"] = "Q3_K_M",
        ["Q4_K"] = "Q4_K_M",
        ["Q5_K"] = "Q5_K_M",
    };

    private QuantizationTarget(string name, int fileType, double bitsPerWeight)
    {
        Name = name;
        FileType = fileType;
        BitsPerWeight = bitsPerWeight;
    }

    /// <summary>Gets the canonical upper-case name, for example <c>Q4_K_M</c>.</summary>
    public string Name { get; }

    /// <summary>Gets the <c>llama_ftype</c> value written to <c>general.file_type</c>.</summary>
    public int FileType { get; }

    /// <summary>Gets the approximate bits per weight of the result.</summary>
    public double BitsPerWeight { get; }

    /// <summary>Gets every type the runtime can quantize to, from most to least precise.</summary>
    public static IReadOnlyList<QuantizationTarget> All => s_all;

    /// <summary>Finds a type by name, ignoring case; <c>Q4_K</c>, <c>Q5_K</c> and <c>Q3_K</c> mean their <c>_M</c> mixes.</summary>
    /// <param name="name">A name such as <c>q4_k_m</c>.</param>
    /// <returns>The type, or <see langword="null"/> when the runtime has no such type.</returns>
    public static QuantizationTarget? Find(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return null;
        }

        string canonical = s_aliases.TryGetValue(name.Trim(), out string? alias) ? alias : name.Trim();
        return s_all.FirstOrDefault(t => string.Equals(t.Name, canonical, StringComparison.OrdinalIgnoreCase));
    }
}
