using System.Text.Json.Serialization;

namespace OffGrid.AspNetCore.Operations;

/// <summary>The body of <c>POST /v1/benchmark</c>; unset fields take <see cref="OffGrid.Inference.Benchmarking.LlamaBenchmarkOptions"/>' defaults.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class BenchmarkRequest
{
    public string? Model { get; set; }

    public int? PromptTokens { get; set; }

    public int? OutputTokens { get; set; }

    public int? Iterations { get; set; }

    public int? ConcurrentStreams { get; set; }
}
