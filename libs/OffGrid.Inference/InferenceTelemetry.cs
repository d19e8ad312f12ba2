using System.Diagnostics.Metrics;

namespace OffGrid.Inference;

/// <summary>
/// The names under which OffGrid's inference reports itself: the provider name of its chat clients and embedding
/// generators (read by Microsoft.Extensions.AI's OpenTelemetry middleware as <c>gen_ai.provider.name</c>) and the
/// <c>OffGrid.Inference</c> <see cref="Meter"/> with token counters, latencies and the pools' live figures.
/// </summary>
/// <remarks>
/// Instruments: <c>offgrid.inference.prompt_tokens</c> and <c>offgrid.inference.completion_tokens</c> (counters,
/// <c>{token}</c>), <c>offgrid.inference.generation.duration</c> (counter, seconds spent generating),
/// <c>offgrid.inference.generation.speed</c> (histogram, <c>{token}/s</c> per finished generation), all tagged with
/// <c>model</c>; the OpenTelemetry GenAI model-server histograms (seconds, tagged <c>gen_ai.operation.name</c> =
/// <c>chat</c>, <c>gen_ai.provider.name</c> = <see cref="ProviderName"/> and <c>gen_ai.request.model</c>, with the
/// conventions' bucket boundaries) <c>gen_ai.server.request.duration</c> (queue, prompt and generation),
/// <c>gen_ai.server.time_to_first_token</c> (queue and prompt) and <c>gen_ai.server.time_per_output_token</c> (per token
/// after the first); and per pool <c>offgrid.inference.loaded_models</c>, <c>offgrid.inference.queue_depth</c> and
/// <c>offgrid.inference.active_sequences</c> (gauges, tagged with <c>model</c>). A pool created with an
/// <see cref="IMeterFactory"/> (as <c>AddOffGridInference</c> does) reports on that factory's meter, so each host in a
/// process has its own figures and the meter is disposed with its container; pools and chat clients created without one
/// share a process-wide meter. Thread-safe.
/// </remarks>
public static class InferenceTelemetry
{
    /// <summary>The name of the meter (and of the <c>OffGrid.Inference</c> telemetry source).</summary>
    public const string MeterName = "OffGrid.Inference";

    /// <summary>The provider name in <c>ChatClientMetadata</c> and <c>EmbeddingGeneratorMetadata</c>.</summary>
    public const string ProviderName = "offgrid-llama.cpp";
}
