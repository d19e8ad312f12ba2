using OffGrid.Hub.Quantization;

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
        new("F32", 0), new("F16", 1), new("BF16", 32), new("Q8_0", 7), new("Q6_K", 18),
        new("Q5_K_M", 17), new("Q5_K_S", 16), new("Q5_1", 9), new("Q5_0", 8),
        new("Q4_K_M", 15), new("Q4_K_S", 14), new("Q4_1", 3), new("Q4_0", 2),
        new("IQ4_NL", 25), new("IQ4_XS", 30), new("MXFP4_MOE", 38),
        new("Q3_K_L", 13), new("Q3_K_M", 12), new("Q3_K_S", 11),
        new("IQ3_M", 27), new("IQ3_S", 26), new("IQ3_XS", 22), new("IQ3_XXS", 23),
        new("Q2_K", 10), new("Q2_K_S", 21), new("Q2_0", 41),
        new("IQ2_M", 29), new("IQ2_S", 28), new("IQ2_XS", 20), new("IQ2_XXS", 19),
        new("TQ2_0", 37), new("IQ1_M", 31), new("TQ1_0", 36), new("IQ1_S", 24), new("Q1_0", 40),
    ];

    // llama-quantize's short names for the medium K-quant mixes.
    private static readonly Dictionary<string, string> s_aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Q3_K"] = "Q3_K_M",
        ["Q4_K"] = "Q4_K_M",
        ["Q5_K"] = "Q5_K_M",
    };

    private QuantizationTarget(string name, int fileType)
    {
        Name = name;
        FileType = fileType;

        // One table of sizes for the whole product: the Hub's, which also names the quantization of downloaded files.
        BitsPerWeight = QuantizationType.Parse(name).BitsPerWeight;
    }

    /// <summary>Gets the canonical upper-case name, for example <c>Q4_K_M</c>.</summary>
    public string Name { get; }

    /// <summary>Gets the <c>llama_ftype</c> value written to <c>general.file_type</c>.</summary>
    public int FileType { get; }

    /// <summary>Gets the approximate bits per weight of the result.</summary>
    public double BitsPerWeight { get; }

    /// <summary>
    /// Gets whether the type needs an importance matrix (imatrix), which OffGrid cannot compute: <c>IQ1_S</c>, <c>IQ1_M</c>,
    /// <c>IQ2_XXS</c>, <c>IQ2_XS</c>, <c>IQ2_S</c> and <c>Q2_K_S</c>, the types <c>llama-quantize</c> refuses without one.
    /// (llama.cpp's own check is per tensor and after its fallbacks, so on a model whose rows do not fit these types'
    /// 256-element blocks it writes other types for every tensor instead of refusing.)
    /// </summary>
    public bool NeedsImportanceMatrix => Name is "IQ1_S" or "IQ1_M" or "IQ2_XXS" or "IQ2_XS" or "IQ2_S" or "Q2_K_S";

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
