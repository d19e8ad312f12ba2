using System.Diagnostics.Metrics;

namespace OffGrid.Inference;

/// <summary>
/// The names under which OffGrid's inference reports itself: the provider name of its chat clients and embedding
/// generators (read by Microsoft.Extensions.AI's OpenTelemetry middleware as <c>gen_ai.provider.name</c>) and the
/// <c>OffGrid.Inference</c> <see cref="Meter"/> with token counters and the pools' live figures.
/// </summary>
/// <remarks>
/// Instruments: <c>offgrid.inference.prompt_tokens</c> and <c>offgrid.inference.completion_tokens</c> (counters,
/// <c>{token}</c>), <c>offgrid.inference.generation.duration</c> (counter, seconds spent generating),
/// <c>offgrid.inference.generation.speed</c> (histogram, <c>{token}/s</c> per finished generation), and per pool
/// <c>offgrid.inference.loaded_models</c>, <c>offgrid.inference.queue_depth</c> and
/// <c>offgrid.inference.active_sequences</c> (gauges, tagged with <c>model</c>). Thread-safe.
/// </remarks>
public static class InferenceTelemetry
{
    /// <summary>The name of the meter (and of the <c>OffGrid.Inference</c> telemetry source).</summary>
    public const string MeterName = "OffGrid.Inference";

    /// <summary>The provider name in <c>ChatClientMetadata</c> and <c>EmbeddingGeneratorMetadata</c>.</summary>
    public const string ProviderName = "offgrid-llama.cpp";

    internal static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> s_promptTokens = Meter.CreateCounter<long>("offgrid.inference.prompt_tokens", "{token}", "Prompt tokens evaluated.");
    private static readonly Counter<long> s_completionTokens = Meter.CreateCounter<long>("offgrid.inference.completion_tokens", "{token}", "Tokens generated.");
    private static readonly Counter<double> s_generationSeconds = Meter.CreateCounter<double>("offgrid.inference.generation.duration", "s", "Time spent generating, summed over requests.");
    private static readonly Histogram<double> s_speed = Meter.CreateHistogram<double>("offgrid.inference.generation.speed", "{token}/s", "Generation speed of each finished request.");

    /// <summary>Records one finished generation.</summary>
    internal static void RecordGeneration(string modelId, int promptTokens, int outputTokens, TimeSpan generation)
    {
        var model = new KeyValuePair<string, object?>("model", modelId);
        s_promptTokens.Add(promptTokens, model);
        s_completionTokens.Add(outputTokens, model);
        if (generation > TimeSpan.Zero)
        {
            s_generationSeconds.Add(generation.TotalSeconds, model);
            s_speed.Record(outputTokens / generation.TotalSeconds, model);
        }
    }
}
