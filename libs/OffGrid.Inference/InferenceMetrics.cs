using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using OffGrid.Inference.Pooling;

namespace OffGrid.Inference;

/// <summary>
/// The instruments of one <c>OffGrid.Inference</c> meter (listed in <see cref="InferenceTelemetry"/>) and the pools its
/// gauges observe. There is one per <see cref="IMeterFactory"/>, so that each dependency-injection container (each host
/// in a process) reports only its own pools and generations, and the meter is disposed with the container; code without
/// one (an app that creates a pool or an engine itself) shares <see cref="Shared"/>, a process-wide meter.
/// </summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class InferenceMetrics
{
    // The semantic conventions' bucket advice for the gen_ai.server histograms (seconds).
    private static readonly double[] s_requestBuckets = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
    private static readonly double[] s_firstTokenBuckets = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0];
    private static readonly double[] s_perTokenBuckets = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5];

    private static readonly Lazy<InferenceMetrics> s_shared = new(() => new InferenceMetrics(new Meter(InferenceTelemetry.MeterName)));

    // A factory returns the same meter for the same name, and a meter must not get a second set of observable gauges.
    private static readonly ConditionalWeakTable<IMeterFactory, InferenceMetrics> s_byFactory = [];

    private readonly ConcurrentDictionary<LlamaModelPool, byte> _pools = new();
    private readonly Counter<long> _promptTokens;
    private readonly Counter<long> _completionTokens;
    private readonly Counter<double> _generationSeconds;
    private readonly Histogram<double> _speed;
    private readonly Histogram<double> _requestDuration;
    private readonly Histogram<double> _timeToFirstToken;
    private readonly Histogram<double> _timePerOutputToken;

    private InferenceMetrics(Meter meter)
    {
        _promptTokens = meter.CreateCounter<long>("offgrid.inference.prompt_tokens", "{token}", "Prompt tokens evaluated.");
        _completionTokens = meter.CreateCounter<long>("offgrid.inference.completion_tokens", "{token}", "Tokens generated.");
        _generationSeconds = meter.CreateCounter<double>("offgrid.inference.generation.duration", "s", "Time spent generating, summed over requests.");
        _speed = meter.CreateHistogram<double>("offgrid.inference.generation.speed", "{token}/s", "Generation speed of each finished request.");
        _requestDuration = meter.CreateHistogram<double>(
            "gen_ai.server.request.duration", "s", "Time from queueing a request to its last output token.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = s_requestBuckets });
        _timeToFirstToken = meter.CreateHistogram<double>(
            "gen_ai.server.time_to_first_token", "s", "Time from queueing a request to its first output token.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = s_firstTokenBuckets });
        _timePerOutputToken = meter.CreateHistogram<double>(
            "gen_ai.server.time_per_output_token", "s", "Time per output token after the first.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = s_perTokenBuckets });

        // The live figures come from one set of gauges over every pool of this meter: instruments of the same name on
        // several meters of one container would collide in its exporter.
        meter.CreateObservableGauge("offgrid.inference.loaded_models", () => Loaded().Count(), "{model}", "Models loaded now.");
        meter.CreateObservableGauge("offgrid.inference.queue_depth", () => PerModel(m => m.PendingRequests), "{request}", "Requests waiting for a free sequence, by model.");
        meter.CreateObservableGauge("offgrid.inference.active_sequences", () => PerModel(m => m.ActiveSequences), "{request}", "Requests being decoded now, by model.");
    }

    /// <summary>The process-wide instruments, for pools and chat clients created without a meter factory.</summary>
    public static InferenceMetrics Shared => s_shared.Value;

    /// <summary>The instruments on <paramref name="meterFactory"/>'s <c>OffGrid.Inference</c> meter, or <see cref="Shared"/> without a factory.</summary>
    public static InferenceMetrics For(IMeterFactory? meterFactory) =>
        meterFactory is null ? Shared : s_byFactory.GetValue(meterFactory, static f => new InferenceMetrics(f.Create(InferenceTelemetry.MeterName)));

    /// <summary>Adds <paramref name="pool"/>'s models to the pool gauges.</summary>
    public void Observe(LlamaModelPool pool) => _pools.TryAdd(pool, 0);

    /// <summary>Removes a disposed <paramref name="pool"/> from the pool gauges.</summary>
    public void StopObserving(LlamaModelPool pool) => _pools.TryRemove(pool, out _);

    /// <summary>Records one finished chat generation of <paramref name="modelId"/>.</summary>
    /// <param name="modelId">The model id the client reports.</param>
    /// <param name="promptTokens">Tokens of the prompt, cached ones included.</param>
    /// <param name="outputTokens">Tokens of the answer.</param>
    /// <param name="queue">Time waiting for a free sequence.</param>
    /// <param name="prompt">Time from admission to the first output token.</param>
    /// <param name="generation">Time from the first output token to the last.</param>
    public void RecordGeneration(string modelId, int promptTokens, int outputTokens, TimeSpan queue, TimeSpan prompt, TimeSpan generation)
    {
        var model = new KeyValuePair<string, object?>("model", modelId);
        _promptTokens.Add(promptTokens, model);
        _completionTokens.Add(outputTokens, model);
        if (generation > TimeSpan.Zero)
        {
            _generationSeconds.Add(generation.TotalSeconds, model);
            _speed.Record(outputTokens / generation.TotalSeconds, model);
        }

        // The semantic conventions' attributes for a model server's chat operation.
        var tags = new TagList
        {
            { "gen_ai.operation.name", "chat" },
            { "gen_ai.provider.name", InferenceTelemetry.ProviderName },
            { "gen_ai.request.model", modelId },
        };
        _requestDuration.Record((queue + prompt + generation).TotalSeconds, tags);
        if (outputTokens > 0)
        {
            _timeToFirstToken.Record((queue + prompt).TotalSeconds, tags);
        }

        if (outputTokens > 1)
        {
            _timePerOutputToken.Record(generation.TotalSeconds / (outputTokens - 1), tags);
        }
    }

    private IEnumerable<LoadedModelInfo> Loaded() => _pools.Keys.SelectMany(p => p.GetLoadedModels());

    private IEnumerable<Measurement<int>> PerModel(Func<LoadedModelInfo, int> value) =>
        Loaded().GroupBy(m => m.ModelId, StringComparer.Ordinal)
            .Select(g => new Measurement<int>(g.Sum(value), new KeyValuePair<string, object?>("model", g.Key)));
}
