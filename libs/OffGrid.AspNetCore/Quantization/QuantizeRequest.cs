using System.Text.Json.Serialization;

namespace OffGrid.AspNetCore.Quantization;

/// <summary>The body of <c>POST /v1/quantize</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class QuantizeRequest
{
    /// <summary>The source model's name (store, configured or model-folder name).</summary>
    public string? Model { get; set; }

    /// <summary>The target type, as llama.cpp names it (<c>Q4_K_M</c>, <c>Q8_0</c>…).</summary>
    public string? Type { get; set; }

    /// <summary>The new store name; defaults to the source's name with <c>-TYPE</c>.</summary>
    public string? Output { get; set; }
}
