using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace OffGrid.Hub.Quantization;

/// <summary>
/// A quantization scheme as named in GGUF file names and <c>general.file_type</c>: <c>Q4_K_M</c>, <c>Q8_0</c>,
/// <c>IQ3_XXS</c>, <c>F16</c>… with its approximate bits per weight and a quality preference.
/// </summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed partial record QuantizationType
{
    private static readonly (string Name, double Bits)[] s_known =
    [
        ("F32", 32), ("F16", 16), ("BF16", 16), ("Q8_0", 8.5), ("Q6_K", 6.56),
        ("Q5_K_M", 5.69), ("Q5_K_S", 5.54), ("Q5_K_L", 5.8), ("Q5_1", 6), ("Q5_0", 5.5),
        ("Q4_K_M", 4.89), ("Q4_K_S", 4.58), ("Q4_K_L", 5.0), ("Q4_1", 5), ("Q4_0", 4.5), ("IQ4_NL", 4.5), ("IQ4_XS", 4.25),
        ("Q8_K_XL", 9.0), ("Q6_K_XL", 6.9), ("Q5_K_XL", 6.0), ("Q4_K_XL", 5.1), ("Q3_K_XL", 4.2), ("Q2_K_XL", 3.4), ("Q3_K_L", 4.27), ("Q3_K_M", 3.91), ("Q3_K_S", 3.5), ("IQ3_M", 3.66), ("IQ3_S", 3.44), ("IQ3_XS", 3.3), ("IQ3_XXS", 3.06),
        ("Q2_K_L", 3.3), ("Q2_K", 3.0), ("Q2_K_S", 2.9), ("Q2_0", 2.25), ("IQ2_M", 2.7), ("IQ2_S", 2.5), ("IQ2_XS", 2.31), ("IQ2_XXS", 2.06),
        ("IQ1_M", 1.75), ("IQ1_S", 1.56), ("Q1_0", 1.125), ("TQ2_0", 2.06), ("TQ1_0", 1.69), ("MXFP4_MOE", 4.25), ("MXFP4", 4.25),
    ];

    // The order in which variants are preferred when several fit: the usual sweet spot first, then more
    // quality, then smaller fallbacks, and unquantized weights last.
    private static readonly string[] s_preference =
    [
        "Q4_K_M", "Q5_K_M", "Q4_K_XL", "Q5_K_XL", "Q4_K_L", "Q5_K_L", "Q4_K_S", "Q5_K_S", "Q6_K", "Q6_K_XL", "Q8_0", "Q8_K_XL", "IQ4_XS", "IQ4_NL", "MXFP4_MOE", "MXFP4", "Q4_0", "Q4_1", "Q5_0", "Q5_1",
        "Q3_K_XL", "Q3_K_L", "Q3_K_M", "IQ3_M", "IQ3_S", "Q3_K_S", "IQ3_XS", "IQ3_XXS", "Q2_K_XL", "Q2_K_L", "Q2_K", "Q2_K_S", "IQ2_M", "IQ2_S", "IQ2_XS",
        "IQ2_XXS", "TQ2_0", "IQ1_M", "TQ1_0", "IQ1_S", "BF16", "F16", "F32",
    ];

    private QuantizationType(string name, double bitsPerWeight, bool isDynamic)
    {
        Name = name;
        BitsPerWeight = bitsPerWeight;
        IsDynamic = isDynamic;
    }

    /// <summary>Gets the canonical upper-case name, for example <c>Q4_K_M</c>.</summary>
    public string Name { get; }

    /// <summary>Gets the approximate bits per weight.</summary>
    public double BitsPerWeight { get; }

    /// <summary>Gets a value indicating whether the file is a "dynamic" (<c>UD-</c>) variant that keeps some layers at higher precision.</summary>
    public bool IsDynamic { get; }

    /// <summary>Gets the preference rank when choosing among variants: lower is preferred.</summary>
    public int PreferenceRank => Array.IndexOf(s_preference, Name) is int i and >= 0 ? i : s_preference.Length;

    /// <summary>Gets every known quantization name.</summary>
    public static IReadOnlyList<string> KnownNames { get; } = s_known.Select(k => k.Name).ToArray();

    /// <summary>Finds the quantization named in a file name or label such as <c>Llama-3.2-3B-Instruct-Q4_K_M.gguf</c> or <c>q8_0</c>.</summary>
    /// <param name="text">A file name, path or bare label.</param>
    /// <param name="quantization">The quantization found.</param>
    /// <returns><see langword="true"/> when a known quantization is named.</returns>
    public static bool TryParse(string? text, [NotNullWhen(true)] out QuantizationType? quantization)
    {
        quantization = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        string name = Path.GetFileName(text.Replace('\\', '/'));
        bool isDynamic = name.Contains("UD-", StringComparison.OrdinalIgnoreCase);
        string bestName = string.Empty;
        double bits = 0;
        foreach (Match match in TokenPattern().Matches(name))
        {
            string token = match.Value.ToUpperInvariant();
            foreach ((string known, double b) in s_known)
            {
                // The longest name that matches wins: "Q4_K_M" over "Q4_K" (not a label on its own).
                if (token == known && known.Length > bestName.Length)
                {
                    bestName = known;
                    bits = b;
                }
            }
        }

        if (bestName.Length == 0)
        {
            return false;
        }

        quantization = new QuantizationType(bestName, bits, isDynamic);
        return true;
    }

    /// <summary>Parses a quantization label.</summary>
    /// <param name="text">A file name or label.</param>
    /// <returns>The quantization.</returns>
    /// <exception cref="FormatException">No known quantization is named.</exception>
    public static QuantizationType Parse(string text) =>
        TryParse(text, out QuantizationType? q) ? q : throw new FormatException($"'{text}' names no known quantization ({string.Join(", ", KnownNames)}).");

    /// <summary>Gets a value indicating whether this quantization has the name <paramref name="label"/> (case-insensitive).</summary>
    /// <param name="label">A label such as <c>q4_k_m</c>.</param>
    /// <returns><see langword="true"/> when the names are equal.</returns>
    public bool Is(string label) => string.Equals(Name, label, StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc/>
    public override string ToString() => IsDynamic ? "UD-" + Name : Name;

    // Tokens start after '-', '.', '_' or the start of the name and end before '-', '.' or the end.
    [GeneratedRegex(@"(?<=^|[-._])(?:I?Q\d(?:_[A-Z0-9]+)*|T?Q\d_\d|BF16|F16|F32|MXFP4(?:_MOE)?)(?=$|[-.])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex TokenPattern();
}
