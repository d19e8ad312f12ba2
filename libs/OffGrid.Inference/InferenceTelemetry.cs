using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using OffGrid.Inference.Pooling;

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

    // The live pools' figures come from one set of gauges over every pool: instruments of the same name on several
    // meters collide in an exporter, and disposing one such meter would silence the others' figures.
    private static readonly ConcurrentDictionary<LlamaModelPool, byte> s_pools = new();
    private static readonly ObservableGauge<int> s_loadedModels = Meter.CreateObservableGauge("offgrid.inference.loaded_models", () => Loaded().Count(), "{model}", "Models loaded now.");
    private static readonly ObservableGauge<int> s_queueDepth = Meter.CreateObservableGauge("offgrid.inference.queue_depth", () => PerModel(m => m.PendingRequests), "{request}", "Requests waiting for a free sequence, by model.");
    private static readonly ObservableGauge<int> s_activeSequences = Meter.CreateObservableGauge("offgrid.inference.active_sequences", () => PerModel(m => m.ActiveSequences), "{request}", "Requests being decoded now, by model.");

    /// <summary>Adds <paramref name="pool"/>'s models to the pool gauges.</summary>
    internal static void Observe(LlamaModelPool pool) => s_pools.TryAdd(pool, 0);

    /// <summary>Removes a disposed <paramref name="pool"/> from the pool gauges.</summary>
    internal static void StopObserving(LlamaModelPool pool) => s_pools.TryRemove(pool, out _);

    private static IEnumerable<LoadedModelInfo> Loaded() => s_pools.Keys.SelectMany(p => p.GetLoadedModels());

    private static IEnumerable<Measurement<int>> PerModel(Func<LoadedModelInfo, int> value) =>
        Loaded().GroupBy(m => m.ModelId, StringComparer.Ordinal)
            .Select(g => new Measurement<int>(g.Sum(value), new KeyValuePair<string, object?>("model", g.Key)));

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
